// Listing a workspace's sync errors while other listings run at the same time: every listing
// ends, and each sees every error. (The end-of-listing marker is one key: a newer listing's marker
// replaces an older one in the stream, possibly before the older listing's watch delivered it.)
import type { NatsConnection } from 'nats';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { errorId } from '../../actors/errors/index.ts';
import { ErrorStore } from '../../actors/errors/store.ts';
import { topology } from '../../protocol/index.ts';
import { provision, typedKv } from '../../runtime/index.ts';
import { connectAs } from '../helpers/host.ts';
import { type NatsServerHandle, startNatsServer } from '../helpers/nats-server.ts';
import { report } from './errors-helpers.ts';

let server: NatsServerHandle;
let nc: NatsConnection;
let store: ErrorStore;
beforeAll(async () => {
  server = await startNatsServer();
  nc = await connectAs(server);
  await provision(nc, topology(), 1);
  store = new ErrorStore(typedKv(await nc.jetstream().views.kv('peoplesync_errors'), 'peoplesync_errors'));
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
});
