// `peoplesync decode` as `nats --translate` runs it: a body on stdin, JSON out, once per message.
// It must start without the TypeScript loader: here it runs from a copy of the command whose
// node_modules holds msgpack and nothing else.
import { spawn } from 'node:child_process';
import { cp, mkdir, mkdtemp, rm, symlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../../cli/local-nats.ts';
import { MatchRecords, encodeBody } from '../../protocol/index.ts';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'ps-decode-'));
  await mkdir(join(dir, 'cli'));
  for (const f of ['bin.mjs', 'decode.mjs']) await cp(join(REPO_ROOT, 'cli', f), join(dir, 'cli', f));
  await mkdir(join(dir, 'node_modules', '@msgpack'), { recursive: true });
  await symlink(join(REPO_ROOT, 'node_modules', '@msgpack', 'msgpack'), join(dir, 'node_modules', '@msgpack', 'msgpack'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

function decode(body: Uint8Array | string, bin = join(dir, 'cli', 'bin.mjs')): Promise<{ code: number; out: string; err: string }> {
  return new Promise((resolve) => {
    const p = spawn(bin, ['decode'], { stdio: ['pipe', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    p.stdout.on('data', (d: Buffer) => (out += d.toString()));
    p.stderr.on('data', (d: Buffer) => (err += d.toString()));
    p.on('exit', (code) => resolve({ code: code ?? -1, out, err }));
    p.stdin.end(body);
  });
}

const body = {
  batchId: 'b1',
  object: 'Lead' as const,
  records: [{ Id: '00Q000000000001AAA', SystemModstamp: '2024-01-01T00:00:00.000+0000', Email: 'ada@example.com' }],
};

describe('peoplesync decode', () => {
  it('turns a msgpack body into JSON, without the TypeScript loader', async () => {
    const r = await decode(encodeBody(body, 'msgpack'));
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    expect(JSON.parse(r.out)).toEqual(body);
    expect(MatchRecords.schema.safeParse(JSON.parse(r.out)).success).toBe(true);
  });

  it('passes a JSON body through as pretty JSON', async () => {
    const r = await decode(JSON.stringify(body));
    expect(r.code).toBe(0);
    expect(r.out).toBe(JSON.stringify(body, null, 2) + '\n');
  });

  it('refuses a body that is neither, saying what it got, with exit code 1', async () => {
    const r = await decode(new Uint8Array([0xc1, 0x00, 0x01]));
    expect(r.code).toBe(1);
    expect(r.out).toBe('');
    expect(r.err).toMatch(/^peoplesync decode: not msgpack or JSON \(3 bytes, starting c10001\)/);
    const bad = await decode('{"unterminated": ');
    expect(bad.code).toBe(1);
    expect(bad.err).toMatch(/not valid JSON/);
  });

  it('is the same command through the repository bin', async () => {
    const r = await decode(encodeBody(body, 'msgpack'), join(REPO_ROOT, 'cli', 'bin.mjs'));
    expect(JSON.parse(r.out)).toEqual(body);
  });
});
