// Listing a workspace's sync errors while other listings run at the same time: every listing
// ends, and each sees every error. (The end-of-listing marker is one key: a newer listing's marker
// replaces an older one in the stream, possibly before the older listing's watch delivered it.)
import type { NatsConnection } from 'nats';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { errorId } from '../../actors/errors/index.ts';
import { ErrorStore } from '../../actors/errors/store.ts';
import { topology } from '../../protocol/index.ts';
import { type TypedKv, provision, typedKv } from '../../runtime/index.ts';
import { connectAs } from '../helpers/host.ts';
import { type NatsServerHandle, startNatsServer } from '../helpers/nats-server.ts';
import { report } from './errors-helpers.ts';

let server: NatsServerHandle;
let nc: NatsConnection;
let kv: TypedKv;
let store: ErrorStore;
beforeAll(async () => {
  server = await startNatsServer();
  nc = await connectAs(server);
  await provision(nc, topology(), 1);
  kv = typedKv(await nc.jetstream().views.kv('peoplesync_errors'), 'peoplesync_errors', nc);
  store = new ErrorStore(kv);
});
afterAll(async () => {
  await nc?.close();
  await server?.stop();
});

describe('sync errors store', () => {
  it('ends every one of many listings made at once, each with every error', async () => {
    const ids: string[] = [];
    for (let i = 0; i < 20; i++) {
      const r = report({ sfId: `003000000000${String(i).padStart(3, '0')}AAA`, message: `failure ${i}` });
      ids.push((await store.record('ws1', r, errorId('ws1', r))).id);
    }
    for (let round = 0; round < 5; round++) {
      const lists = await Promise.all(Array.from({ length: 40 }, () => store.all('ws1')));
      for (const l of lists) expect(l.map((e) => e.id).sort()).toEqual([...ids].sort());
    }
  });

  it('fails a listing that does not end in time with an error a work item retries', async () => {
    // A watch that never delivers: the end-of-listing marker never arrives.
    const deaf: TypedKv = { ...kv, watch: async () => () => undefined };
    const err = await new ErrorStore(deaf, { listTimeoutMs: 300 }).all('ws1').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(Error);
    expect(err).toMatchObject({ name: 'ListTimeoutError', retryable: true, message: expect.stringMatching(/took longer than 300 ms/) });
  });
});
