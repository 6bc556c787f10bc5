import { describe, expect, it } from 'vitest';
import { type DecodeError, allMessageDefs, contentTypeOf, decodeMessage, encodeBody, validateBody } from '../../protocol/index.ts';
import { FIXTURES } from '../helpers/fixtures.ts';

describe('codec', () => {
  const defs = allMessageDefs();

  it('has a fixture for every message type', () => {
    expect(defs.map((d) => d.type).filter((t) => !(t in FIXTURES))).toEqual([]);
    expect(defs.length).toBeGreaterThan(20);
  });

  for (const def of defs) {
    for (const enc of ['msgpack', 'json'] as const) {
      it(`round-trips ${def.type} as ${enc}`, () => {
        const body = validateBody(def, FIXTURES[def.type]);
        const bytes = encodeBody(body, enc);
        const back = decodeMessage(def.type, bytes, contentTypeOf(enc));
        expect(back.def).toBe(def);
        expect(back.body).toEqual(body);
      });
    }
  }

  it('reads msgpack and JSON side by side, chosen by content-type', () => {
    const body = FIXTURES['scan.page.v2'];
    const mp = decodeMessage('scan.page.v2', encodeBody(body, 'msgpack'), 'application/msgpack');
    const js = decodeMessage('scan.page.v2', new TextEncoder().encode(JSON.stringify(body)), 'application/json; charset=utf-8');
    expect(mp.body).toEqual(js.body);
    // no content-type means msgpack (the default encoding)
    expect(decodeMessage('scan.page.v2', encodeBody(body, 'msgpack'), undefined).body).toEqual(mp.body);
  });

  it('names the reason for every kind of poison', () => {
    const reason = (f: () => unknown) => {
      try {
        f();
      } catch (e) {
        return (e as DecodeError).reason;
      }
      return 'none';
    };
    expect(reason(() => decodeMessage(undefined, encodeBody({}, 'msgpack'), undefined))).toBe('unknown_type');
    expect(reason(() => decodeMessage('scan.nope.v1', encodeBody({}, 'msgpack'), undefined))).toBe('unknown_type');
    expect(reason(() => decodeMessage('scan.page.v2', new Uint8Array([0xc1]), 'application/msgpack'))).toBe('undecodable');
    expect(reason(() => decodeMessage('scan.page.v2', new TextEncoder().encode('{'), 'application/json'))).toBe('undecodable');
    expect(reason(() => decodeMessage('scan.page.v2', encodeBody({}, 'msgpack'), 'text/plain'))).toBe('undecodable');
    expect(
      reason(() =>
        decodeMessage(
          'scan.page.v2',
          encodeBody({ run: 'r', settingsRevision: 1, object: 'Account', page: 0, afterId: null }, 'msgpack'),
          undefined,
        ),
      ),
    ).toBe('invalid_body');
  });
});
