// What the one decode step refuses before a handler or endpoint sees a body: oversize bodies
// before they are read, deep or long structures while they are, binary values anywhere, and keys
// a schema does not name. Control requests and work items decode the same way.
import { encode } from '@msgpack/msgpack';
import { describe, expect, it } from 'vitest';
import {
  BulkStart,
  BulkStop,
  DEFAULT_DECODE_LIMITS,
  type DecodeError,
  ErrorsShow,
  ScanPage,
  decodeMessage,
  decodeRequest,
  encodeBody,
} from '../../protocol/index.ts';

const MP = 'application/msgpack';
const JSON_CT = 'application/json';
const refused = (f: () => unknown): { reason: string; message: string } => {
  try {
    f();
  } catch (e) {
    return { reason: (e as DecodeError).reason, message: (e as DecodeError).message };
  }
  return { reason: 'accepted', message: '' };
};

/** `depth` msgpack fixarrays of one element each, around a nil: about `depth` bytes. */
function nestedArrays(depth: number): Uint8Array {
  const b = new Uint8Array(depth + 1).fill(0x91);
  b[depth] = 0xc0;
  return b;
}

describe('strict schemas', () => {
  it('refuses a control request with a key its schema does not name', () => {
    const r = refused(() => decodeRequest(BulkStop.verb, BulkStop.request, new TextEncoder().encode('{"limit":"ten"}'), JSON_CT));
    expect(r).toMatchObject({ reason: 'invalid_body', message: expect.stringMatching(/limit/) });
    expect(decodeRequest(BulkStop.verb, BulkStop.request, new TextEncoder().encode('{}'), JSON_CT)).toEqual({
      reason: 'user',
      by: 'unknown',
    });
  });

  it('never takes a binary msgpack value for an object, empty or not', () => {
    for (const bin of [encode(new Uint8Array(0)), encode(new Uint8Array([1, 2, 3]))]) {
      expect(refused(() => decodeRequest(BulkStart.verb, BulkStart.request, bin, MP)).reason).toBe('invalid_body');
    }
    // nor inside a body, where a schema would see an object or a record
    const inside = encode({ run: 'r1', object: 'Lead', page: 0, afterId: null, extra: new Uint8Array(0) });
    expect(refused(() => decodeMessage(ScanPage.type, inside, MP)).message).toMatch(/binary/);
    // a msgpack timestamp (an ext type) neither
    expect(refused(() => decodeMessage(ScanPage.type, encode({ run: 'r1', at: new Date(0) }), MP)).message).toMatch(/binary/);
  });

  it('bounds ids where they enter', () => {
    const long = encodeBody({ id: 'x'.repeat(10_000) }, 'msgpack');
    expect(refused(() => decodeRequest(ErrorsShow.verb, ErrorsShow.request, long, MP)).message).toMatch(/24 hex/);
    const run = encodeBody({ run: 'r1.x', object: 'Lead', page: 0, afterId: null }, 'msgpack');
    expect(refused(() => decodeMessage(ScanPage.type, run, MP)).reason).toBe('invalid_body');
  });
});

describe('limits', () => {
  it('refuses a body over the maximum by its size, before reading a byte of it', () => {
    const junk = new Uint8Array(DEFAULT_DECODE_LIMITS.maxBytes + 1).fill(0xc1); // not even msgpack
    expect(refused(() => decodeMessage(ScanPage.type, junk, MP))).toMatchObject({
      reason: 'too_large',
      message: expect.stringMatching(/bytes/),
    });
    expect(refused(() => decodeMessage(ScanPage.type, junk, JSON_CT)).reason).toBe('too_large');
  });

  it('refuses 1 MB of nested arrays by depth', () => {
    const bomb = new Uint8Array([0x81, 0xa1, 0x78, ...nestedArrays(1_000_000 - 3)]); // {x: [[[[...]]]]}
    expect(refused(() => decodeMessage(ScanPage.type, bomb, MP))).toMatchObject({
      reason: 'too_large',
      message: expect.stringMatching(/deeper than 16/),
    });
    const json = `{"x":${'['.repeat(100)}${']'.repeat(100)}}`;
    expect(refused(() => decodeMessage(ScanPage.type, new TextEncoder().encode(json), JSON_CT)).reason).toBe('too_large');
  });

  it('refuses arrays, maps and strings longer than allowed', () => {
    const limits = { ...DEFAULT_DECODE_LIMITS, maxArrayLength: 10, maxMapLength: 5, maxStrLength: 100 };
    const body = (v: unknown) => encodeBody({ v }, 'msgpack');
    expect(refused(() => decodeMessage(ScanPage.type, body(Array(11).fill(1)), MP, limits)).message).toMatch(/array of 11/);
    expect(refused(() => decodeMessage(ScanPage.type, body({ a: 1, b: 2, c: 3, d: 4, e: 5, f: 6 }), MP, limits)).message).toMatch(
      /map of 6/,
    );
    expect(refused(() => decodeMessage(ScanPage.type, body('y'.repeat(101)), MP, limits)).message).toMatch(/string of 101/);
  });

  it('tells a truncated or trailing body from a valid one', () => {
    const ok = encodeBody({ run: 'r1', settingsRevision: 1, object: 'Lead', page: 0, afterId: null }, 'msgpack');
    expect(decodeMessage(ScanPage.type, ok, MP).body).toMatchObject({ run: 'r1' });
    expect(refused(() => decodeMessage(ScanPage.type, ok.subarray(0, ok.length - 2), MP)).reason).toBe('undecodable');
    expect(refused(() => decodeMessage(ScanPage.type, new Uint8Array([...ok, 0xc0]), MP)).reason).toBe('undecodable');
    expect(refused(() => decodeMessage(ScanPage.type, encode([1, 2]), MP)).message).toMatch(/must be a msgpack map/);
  });
});
