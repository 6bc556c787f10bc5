// NDJSON (one JSON object per line) for sandbox state: seed files, dumps, loads. Streams in both
// directions so a million records never need one big string.

import { createReadStream, createWriteStream } from 'node:fs';
import { once } from 'node:events';
import { createInterface } from 'node:readline';

export class NdjsonError extends Error {
  override name = 'NdjsonError';
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}

/** Parses one line; blank lines give undefined. `where` names the source in the error. */
export function parseNdjsonLine(line: string, where: string): unknown {
  const text = line.trim();
  if (text === '') return undefined;
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new NdjsonError(`${where}: not valid JSON (${(err as Error).message})`, { cause: err });
  }
}

/** Parses a whole NDJSON text, e.g. a request body. */
export function parseNdjson(text: string, source = 'ndjson'): unknown[] {
  const out: unknown[] = [];
  text.split('\n').forEach((line, i) => {
    const value = parseNdjsonLine(line, `${source} line ${i + 1}`);
    if (value !== undefined) out.push(value);
  });
  return out;
}

export async function* readNdjson(path: string): AsyncGenerator<unknown> {
  const lines = createInterface({ input: createReadStream(path, 'utf8'), crlfDelay: Infinity });
  let n = 0;
  for await (const line of lines) {
    n++;
    const value = parseNdjsonLine(line, `${path} line ${n}`);
    if (value !== undefined) yield value;
  }
}

/** Writes rows to `path` as NDJSON, honouring back-pressure. Returns the number of rows. */
export async function writeNdjson(path: string, rows: Iterable<unknown> | AsyncIterable<unknown>): Promise<number> {
  const out = createWriteStream(path, 'utf8');
  let n = 0;
  try {
    for await (const row of rows) {
      if (!out.write(JSON.stringify(row) + '\n')) await once(out, 'drain');
      n++;
    }
  } finally {
    out.end();
    await once(out, 'close');
  }
  return n;
}
