// A KV watch is an ordered consumer, which nats.js makes again (at the sequence it had reached)
// when it loses it: a NATS node restarted, heartbeats missed. It does so by the stream-wide
// consumer-create subject, which the worker's and the gateway's permissions must allow, and a
// watch that still ends is started again: a run gate, a poll clock or an errors store that
// stopped hearing changes would act on stale state for the rest of the process's life.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { NatsConnection } from 'nats';
import type { TypedKv } from '../../runtime/index.ts';
import { connectAs, provisioned, waitFor } from '../helpers/host.ts';
import { startNatsServer, type NatsServerHandle } from '../helpers/nats-server.ts';

let server: NatsServerHandle;
let nc: NatsConnection;
let admin: NatsConnection;
let runs: TypedKv;
let stream: string;

beforeAll(async () => {
  server = await startNatsServer();
  const p = await provisioned(server);
  nc = p.nc;
  runs = await p.bucket(p.buckets.runs.name);
  stream = `KV_${p.buckets.runs.name}`;
  admin = await connectAs(server, 'admin');
});
afterAll(async () => {
  await nc?.close();
  await admin?.close();
  await server?.stop();
});

/** Deletes every consumer of the bucket's stream, as a restarted node loses an ordered consumer. */
async function dropConsumers(): Promise<number> {
  const jsm = await admin.jetstreamManager();
  const names: string[] = [];
  for await (const c of jsm.consumers.list(stream)) names.push(c.name);
  for (const n of names) await jsm.consumers.delete(stream, n);
  return names.length;
}

describe('a KV watch', () => {
  it('goes on hearing changes after its consumer is lost', { timeout: 60_000 }, async () => {
    const heard: unknown[] = [];
    const stop = await runs.watch('ws1.runs.*', (_key, value) => heard.push(value));
    try {
      await runs.put('ws1.runs.r1', { n: 1 });
      await waitFor(() => heard.length >= 1, { what: 'the first value' });
      expect(await dropConsumers()).toBeGreaterThan(0);
      // nats.js notices the consumer gone by its missed heartbeats and makes it again.
      await runs.put('ws1.runs.r1', { n: 2 });
      await waitFor(() => heard.some((v) => (v as { n: number } | null)?.n === 2), { what: 'the value put after', timeoutMs: 45_000 });
    } finally {
      stop();
    }
  });
});
