// `peoplesync decode`: a message body on stdin to pretty JSON on stdout, in plain JavaScript so
// that it starts in a few tens of milliseconds: `nats sub ... --translate` runs it once per
// message. cli/bin.mjs runs it without the TypeScript loader; the `decode` command (cli/commands)
// runs the same code. `nats --translate` passes the body only, not its headers, so the encoding
// is told from the body itself: JSON bodies are objects (`{`), everything else is msgpack, the
// rule control requests follow too (runtime/control.ts).
import { Decoder } from '@msgpack/msgpack';

const JSON_OPEN = 0x7b;

/**
 * A message body as pretty JSON ('' for an empty body).
 * @param {Uint8Array} data
 * @returns {string}
 */
export function decodeToJson(data) {
  if (data.length === 0) return '';
  if (data[0] === JSON_OPEN) {
    const text = Buffer.from(data).toString('utf8');
    try {
      return JSON.stringify(JSON.parse(text), null, 2);
    } catch (err) {
      throw new Error(`not valid JSON (${data.length} bytes): ${err.message}`);
    }
  }
  try {
    return JSON.stringify(new Decoder({ useBigInt64: false }).decode(data), null, 2);
  } catch (err) {
    const start = Buffer.from(data.subarray(0, 8)).toString('hex');
    throw new Error(`not msgpack or JSON (${data.length} bytes, starting ${start}): ${err.message}`);
  }
}

/**
 * Reads stdin to its end, writes the JSON; a body that is neither is a one-line error.
 * @returns {Promise<number>} the exit code
 */
export async function decodeStdin() {
  const chunks = [];
  for await (const c of process.stdin) chunks.push(c);
  try {
    process.stdout.write(decodeToJson(Buffer.concat(chunks)) + '\n');
    return 0;
  } catch (err) {
    process.stderr.write(`peoplesync decode: ${err.message}\n`);
    return 1;
  }
}
