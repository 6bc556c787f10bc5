// Control requests of the wrong shape act on nothing: a key the verb does not take, or a binary
// msgpack body where an object is expected, is refused with a clear error, as an operator sending
// them with `nats req` would see.
import { encode } from '@msgpack/msgpack';
import type { NatsConnection } from 'nats';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BulkStatus, type Run } from '../../protocol/index.ts';
import { connectAs, waitFor } from '../helpers/host.ts';
import { type TestSystem, WS, startSystem } from '../helpers/system.ts';

let sys: TestSystem;
let operator: NatsConnection;

beforeAll(async () => {
  sys = await startSystem({ generator: { people: 20 } });
  await sys.startWorker(['coordinator']);
  await waitFor(() => sys.workers[0].host.isLeading('coordinator', WS), { what: 'coordinator leading', timeoutMs: 10_000 });
  operator = await connectAs(sys.nats, 'operator');
});
afterAll(async () => {
  await operator?.close();
  await sys?.stop();
});

const subject = (verb: string) => `peoplesync.ctl.${WS}.${verb}`;
async function ask(verb: string, body: Uint8Array): Promise<{ status: string | undefined; body: unknown }> {
  const r = await operator.request(subject(verb), body, { timeout: 10_000 });
  const text = new TextDecoder().decode(r.data);
  return { status: r.headers?.get('Nats-Service-Error-Code') || undefined, body: text.startsWith('{') ? JSON.parse(text) : r.data };
}
const json = (v: unknown) => new TextEncoder().encode(JSON.stringify(v));
const status = async () => (await sys.workers[0].host.messenger.request(BulkStatus, WS, {})).run as Run | null;

describe('control requests of the wrong shape', () => {
  it('refuses bulk.stop with a key it does not take, and the run goes on', async () => {
    const started = await ask('bulk.start', json({ startedBy: 'test' }));
    expect(started.status).toBeUndefined();
    const runId = (started.body as { run: Run }).run.runId;

    const stop = await ask('bulk.stop', json({ limit: 'ten' }));
    expect(stop.status).toBe('400');
    expect(stop.body).toMatchObject({ error: { code: 'invalid_request', message: expect.stringMatching(/limit/) } });
    expect(await status()).toMatchObject({ runId, status: 'running' });

    expect((await ask('bulk.stop', json({}))).status).toBeUndefined();
    expect(await status()).toMatchObject({ runId, status: 'stopped' });
  });

  it('refuses a binary msgpack body on bulk.start, empty or not, and starts nothing', async () => {
    const before = await status();
    for (const body of [encode(new Uint8Array(0)), encode(new Uint8Array([0x7b, 0x7d]))]) {
      const r = await ask('bulk.start', body);
      expect(r.status).toBe('400');
    }
    expect((await status())?.runId).toBe(before?.runId);
    expect((await status())?.status).toBe('stopped');
  });
});
