// The decode limits' scanner reads msgpack without building anything; here it is checked against
// a second, independent reading: @msgpack/msgpack's own decoder, whose result is then walked for
// the same limits. Thousands of bodies, valid ones and the same ones damaged (bytes changed,
// cut short, extended), must get the same verdict from both.
import { Decoder, ExtData, encode } from '@msgpack/msgpack';
import { describe, expect, it } from 'vitest';
import { type DecodeLimits, scanMsgpack } from '../../protocol/index.ts';
import { mulberry32 } from '../../sandbox/prng.ts';

const LIMITS: DecodeLimits = { maxBytes: 4096, maxDepth: 4, maxArrayLength: 6, maxMapLength: 5, maxStrLength: 12 };

function value(r: () => number, depth: number): unknown {
  const k = Math.floor(r() * (depth > 5 ? 6 : 9));
  const len = () => Math.floor(r() * 8); // sometimes over the limits of 5 and 6
  switch (k) {
    case 0:
      return null;
    case 1:
      return r() < 0.5;
    case 2:
      return [0, 1, 127, 128, 255, 65_535, 65_536, 2 ** 32, -1, -33, -200, -40_000, 1.5][Math.floor(r() * 13)];
    case 3:
      return 'é'.repeat(Math.floor(r() * 5)) + 'x'.repeat(Math.floor(r() * 10));
    case 4:
      return r() < 0.5 ? new Uint8Array(2) : new ExtData(3, new Uint8Array(1));
    case 5:
      return '';
    case 6:
    case 7:
      return Array.from({ length: len() }, () => value(r, depth + 1));
    default:
      return Object.fromEntries(Array.from({ length: len() }, (_, i) => [`k${i}`, value(r, depth + 1)]));
  }
}

/** The reference verdict: decoded whole by the library (no bin, no ext, string keys), then walked. */
function reference(data: Uint8Array): boolean {
  let keysOk = true;
  let decoded: unknown;
  try {
    decoded = new Decoder({
      // String lengths are the encoded bytes (the library checks them before decoding a string).
      maxStrLength: LIMITS.maxStrLength,
      mapKeyConverter: (key) => {
        if (typeof key !== 'string') keysOk = false;
        return String(key);
      },
    }).decode(data);
  } catch {
    return false;
  }
  if (!keysOk || typeof decoded !== 'object' || decoded === null || Array.isArray(decoded) || decoded instanceof Uint8Array) return false;
  if (decoded instanceof ExtData || decoded instanceof Date) return false;
  const walk = (v: unknown, depth: number): boolean => {
    if (v instanceof Uint8Array || v instanceof ExtData || v instanceof Date) return false;
    if (typeof v !== 'object' || v === null) return true;
    if (depth > LIMITS.maxDepth) return false;
    const items = Array.isArray(v) ? v : Object.values(v);
    if (items.length > (Array.isArray(v) ? LIMITS.maxArrayLength : LIMITS.maxMapLength)) return false;
    return items.every((x) => walk(x, depth + 1));
  };
  return walk(decoded, 1);
}

function verdict(data: Uint8Array): boolean {
  try {
    scanMsgpack(data, LIMITS);
    return true;
  } catch {
    return false;
  }
}

describe('scanMsgpack', () => {
  it('agrees with the msgpack library on valid and damaged bodies', () => {
    // Seeded, so a failure names a body that can be made again.
    const r = mulberry32(17);
    let accepted = 0;
    let refused = 0;
    for (let i = 0; i < 4000; i++) {
      const body = encode(Object.fromEntries(Array.from({ length: Math.floor(r() * 6) }, (_, j) => [`f${j}`, value(r, 2)])));
      const damaged = [body, body.subarray(0, Math.floor(r() * body.length)), new Uint8Array([...body, Math.floor(r() * 256)])];
      const flipped = body.slice();
      if (flipped.length) flipped[Math.floor(r() * flipped.length)] = Math.floor(r() * 256);
      damaged.push(flipped);
      for (const d of damaged) {
        const want = reference(d);
        if (verdict(d) !== want) throw new Error(`body ${i}: scanner ${!want ? 'accepts' : 'refuses'} ${Buffer.from(d).toString('hex')}`);
        if (want) accepted++;
        else refused++;
      }
    }
    // Both verdicts were reached many times: the comparison tested something on either side.
    expect(accepted).toBeGreaterThan(1000);
    expect(refused).toBeGreaterThan(1000);
  });
});
