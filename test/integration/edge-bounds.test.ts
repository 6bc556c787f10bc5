// No request can break a connection or run on unbounded: an id that could never be valid is
// refused where it enters (the gateway's URL limit, then the control schemas, which the gateway's
// routes and every other requester go through), so it never becomes a subject or a KV key; a
// dead-letter replay takes at most 1,000 sequences a request.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ControlError, ErrorsShow } from '../../protocol/index.ts';
import { ADMIN, bearer, consoleConfig } from '../helpers/console.ts';
import { freePort } from '../helpers/nats-server.ts';
import { type TestSystem, WS, startSystem } from '../helpers/system.ts';

let sys: TestSystem;
let base: string;

beforeAll(async () => {
  sys = await startSystem({ generator: { people: 10 } });
  const port = await freePort();
  await sys.startWorker(['errors', 'gateway'], { http: { host: '127.0.0.1', port }, console: await consoleConfig() });
  base = `http://127.0.0.1:${port}`;
}, 60_000);

/** The API as a script calls it: with an operator's bearer token. */
const api = (path: string, init: RequestInit = {}) =>
  fetch(`${base}${path}`, { ...init, headers: { ...bearer(ADMIN.token), ...(init.headers as Record<string, string>) } });
afterAll(async () => {
  await sys?.stop();
});

const json = async (res: Response) => ({ status: res.status, body: (await res.json()) as { error?: { code: string; message: string } } });

describe('ids and sizes bounded at the edge', () => {
  it('refuses a 10,000-character error id, and the errors actor keeps its connection', async () => {
    // At the gateway: the URL is refused before any route runs.
    const r = await api(`/api/${WS}/errors/${'a'.repeat(10_000)}`);
    expect(r.status).toBe(414);
    // An id short enough for a URL but not an id: refused by the control schema, named.
    const short = await json(await api(`/api/${WS}/errors/${'a'.repeat(90)}`));
    expect(short.status).toBe(400);
    expect(short.body.error?.message).toMatch(/24 hex/);
    // Straight to the errors actor, as any NATS requester may.
    const direct = await sys.workers[0].host.messenger.request(ErrorsShow, WS, { id: 'a'.repeat(10_000) }, 5_000).catch((e: unknown) => e);
    expect(direct).toBeInstanceOf(ControlError);
    expect((direct as ControlError).message).toMatch(/24 hex/);
    expect(sys.workers[0].nc.isClosed()).toBe(false);
    expect((await api(`/api/${WS}/errors/count`)).status).toBe(200);
    expect((await json(await api(`/api/${WS}/errors/ffffffffffffffffffffffff`))).status).toBe(404);
  });

  it('refuses a replay of 100,000 dead letters at once with what to do instead', async () => {
    const seqs = Array.from({ length: 100_000 }, (_, i) => i + 1);
    const started = Date.now();
    const res = await api(`/api/${WS}/dlq/replay`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ seqs }),
    });
    const r = await json(res);
    expect(r.status).toBe(400);
    expect(r.body.error?.message).toMatch(/at most 1000 sequences a request: replay in batches/);
    expect(Date.now() - started).toBeLessThan(10_000); // answered, not timed out
    expect((await api(`/api/${WS}/errors/count`)).status).toBe(200);
  });

  it('takes the dead-letter listing’s cursor and filters through the API, and refuses a bad one by name', async () => {
    const ok = await api(`/api/${WS}/dlq?limit=5&after=0&reason=invalid_body&stage=sfwrite`);
    expect(ok.status).toBe(200);
    expect(await ok.json()).toEqual({ letters: [], next: null });
    const bad = await json(await api(`/api/${WS}/dlq?reason=nope`));
    expect(bad.status).toBe(400);
    expect(bad.body.error?.message).toMatch(/reason/);
  });

  it('refuses a KV key that could never be valid before it reaches the server', async () => {
    const kv = await sys.kv('errors');
    await expect(kv.getRaw(`${WS}.${'k'.repeat(5_000)}`)).rejects.toMatchObject({ name: 'KvKeyError', retryable: false });
    await expect(kv.put(`${WS}.a b`, 1)).rejects.toMatchObject({ name: 'KvKeyError' });
    expect(sys.nc.isClosed()).toBe(false);
    expect(await kv.getRaw(`${WS}.fine`)).toBeNull();
  });
});
