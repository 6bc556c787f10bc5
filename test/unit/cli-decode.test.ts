// `peoplesync decode` as `nats --translate` runs it: a body on stdin, JSON out, once per message,
// from the compiled command.
import { describe, expect, it } from 'vitest';
import { MatchRecords, encodeBody } from '../../protocol/index.ts';
import { runBin } from '../helpers/cli.ts';

const decode = (input: Uint8Array | string) => runBin(['decode'], { input });

const body = {
  batchId: 'b1',
  settingsRevision: 1,
  object: 'Lead' as const,
  records: [{ Id: '00Q000000000001AAA', SystemModstamp: '2024-01-01T00:00:00.000+0000', Email: 'ada@example.com' }],
};

describe('peoplesync decode', () => {
  it('turns a msgpack body into JSON', async () => {
    const r = await decode(encodeBody(body, 'msgpack'));
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual(body);
    expect(MatchRecords.schema.safeParse(JSON.parse(r.stdout)).success).toBe(true);
  });

  it('passes a JSON body through as pretty JSON', async () => {
    const r = await decode(JSON.stringify(body));
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(JSON.stringify(body, null, 2) + '\n');
  });

  it('refuses a body that is neither, saying what it got, with exit code 1', async () => {
    const r = await decode(new Uint8Array([0xc1, 0x00, 0x01]));
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(/^peoplesync decode: not msgpack or JSON \(3 bytes, starting c10001\)/);
    const bad = await decode('{"unterminated": ');
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/not valid JSON/);
  });
});
