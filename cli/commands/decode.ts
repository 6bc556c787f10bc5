// `peoplesync decode`: a message body on stdin to pretty JSON on stdout. `nats sub ... --translate`
// runs it once per message, so it loads msgpack (its one-file build) and nothing more. `nats --translate` passes the
// body only, not its headers, so the encoding is told from the body itself: JSON bodies are
// objects (`{`), everything else is msgpack, the rule control requests follow too
// (runtime/control.ts).
import { createRequire } from 'node:module';
import type * as Msgpack from '@msgpack/msgpack';

// The library's one-file build: loading its ES modules one by one takes about 40 ms of a start-up
// that happens once a message (docs/BENCHMARKS.md); this file loads in a few.
const { Decoder } = createRequire(import.meta.url)('@msgpack/msgpack/dist.umd/msgpack.min.js') as typeof Msgpack;

const JSON_OPEN = 0x7b;

/** A message body as pretty JSON ('' for an empty body). */
export function decodeToJson(data: Uint8Array): string {
  if (data.length === 0) return '';
  if (data[0] === JSON_OPEN) {
    const text = Buffer.from(data).toString('utf8');
    try {
      return JSON.stringify(JSON.parse(text), null, 2);
    } catch (err) {
      throw new Error(`not valid JSON (${data.length} bytes): ${(err as Error).message}`);
    }
  }
  try {
    return JSON.stringify(new Decoder({ useBigInt64: false }).decode(data), null, 2);
  } catch (err) {
    const start = Buffer.from(data.subarray(0, 8)).toString('hex');
    throw new Error(`not msgpack or JSON (${data.length} bytes, starting ${start}): ${(err as Error).message}`);
  }
}

/** Reads stdin to its end and writes the JSON; a body that is neither fails the command. */
export async function runDecode(): Promise<number> {
  const chunks: Buffer[] = [];
  for await (const c of process.stdin) chunks.push(c as Buffer);
  process.stdout.write(decodeToJson(Buffer.concat(chunks)) + '\n');
  return 0;
}
