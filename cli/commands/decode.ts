// `peoplesync decode`: a message body on stdin (msgpack, or JSON) to pretty JSON on stdout, so
// `nats sub 'peoplesync.>' --translate 'peoplesync decode'` shows any message.
import { decode } from '@msgpack/msgpack';
import type { Command } from './types.ts';

async function readStdin(): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of process.stdin) chunks.push(c as Buffer);
  return Buffer.concat(chunks);
}

export function decodeToJson(data: Uint8Array): string {
  if (data.length === 0) return '';
  try {
    return JSON.stringify(decode(data), null, 2);
  } catch {
    const text = Buffer.from(data).toString('utf8');
    try {
      return JSON.stringify(JSON.parse(text), null, 2);
    } catch {
      throw new Error(`not msgpack or JSON (${data.length} bytes, starting ${Buffer.from(data.subarray(0, 8)).toString('hex')})`);
    }
  }
}

export const decodeCommand: Command = {
  name: 'decode',
  summary: 'Turn a msgpack (or JSON) message body on stdin into JSON',
  async run() {
    const out = decodeToJson(await readStdin());
    process.stdout.write(out + '\n');
    return 0;
  },
};
