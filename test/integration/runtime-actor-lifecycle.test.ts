// The host owns each activation's instance: built by `init` before anything is bound, handed to
// every handler, disposed when the activation ends (a lease lost, a stop), and built anew for the
// next activation.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { ControlError, control, workMessage } from '../../protocol/index.ts';
import { ActorHost, createLogger, defineActor, endpoint, on } from '../../runtime/index.ts';
import { startNatsServer, type NatsServerHandle } from '../helpers/nats-server.ts';
import { type TestHost, connectAs, startHost, waitFor } from '../helpers/host.ts';

const Item = workMessage('coord.lifecycle-item.v1', 'coord', z.object({ n: z.number() }));
const PoolItem = workMessage('notify.lifecycle-pool.v1', 'notify', z.object({ n: z.number() }));
const PoolAsk = control('lifecycle-pool', 'lifecycle.pool-ask', 'Whether the pool answers', z.object({}), z.object({ ok: z.boolean() }));
const Ask = control(
  'lifecycle-probe',
  'lifecycle.ask',
  'Which instance answers',
  z.object({}),
  z.object({ id: z.number(), ready: z.boolean() }),
);

let server: NatsServerHandle;
beforeAll(async () => {
  server = await startNatsServer();
});
afterAll(async () => {
  await server?.stop();
});

class Probe {
  ready = false;
  readonly id: number;
  constructor(id: number) {
    this.id = id;
  }
}

function probeActor(seen: string[], gate: Promise<void>) {
  let made = 0;
  return defineActor({
    name: 'lifecycle-probe',
    singleton: true,
    async init() {
      const p = new Probe(++made);
      seen.push(`init:${p.id}`);
      await gate;
      p.ready = true;
      seen.push(`ready:${p.id}`);
      return p;
    },
    dispose: (p) => {
      seen.push(`dispose:${p.id}`);
    },
  }).serve({
    queues: [
      {
        stage: 'coord',
        classes: ['bulk'],
        handlers: [
          on(Item, async (body, _ctx, p) => {
            seen.push(`item:${body.n}:${p.id}:${p.ready}`);
          }),
        ],
      },
    ],
    endpoints: [endpoint(Ask, async (_body, _ctx, p) => ({ id: p.id, ready: p.ready }))],
  });
}

describe('actor instances', () => {
  let h: TestHost;
  const seen: string[] = [];
  let release!: () => void;
  const gate = new Promise<void>((r) => {
    release = r;
  });

  afterAll(async () => {
    await h?.stop();
  });

  it('binds queues and endpoints only once the instance is ready', async () => {
    h = await startHost(server, [probeActor(seen, gate)]);
    await h.host.messenger.publish(Item, 'ws1', { n: 1 }, { cls: 'bulk' });
    await waitFor(() => seen.includes('init:1'), { what: 'first init' });
    // The instance is being built: its endpoint is not served yet, and no item reaches it.
    const early = await h.host.messenger.request(Ask, 'ws1', {}, 3_000).catch((e: unknown) => e);
    expect(early).toBeInstanceOf(ControlError);
    expect(early).toMatchObject({ status: 503 });
    await new Promise((r) => setTimeout(r, 500));
    expect(seen).toEqual(['init:1']);

    release();
    await waitFor(() => seen.includes('item:1:1:true'), { what: 'the first item handled' });
    expect(seen).toEqual(['init:1', 'ready:1', 'item:1:1:true']);
    expect(await h.host.messenger.request(Ask, 'ws1', {})).toEqual({ id: 1, ready: true });
  });

  it('disposes the instance when the lease is lost, and the next leadership gets a fresh one', async () => {
    // Another holder took the key: the renewal fails and the leadership ends.
    const leases = await h.host.kv('leases');
    await leases.put('lifecycle-probe.ws1', { holder: 'someone-else', at: Date.now() });
    await waitFor(() => seen.includes('dispose:1'), { what: 'the first instance disposed' });
    // The key is free again: the same host takes it (after one TTL), a new activation, a new instance.
    await leases.delete('lifecycle-probe.ws1');
    await waitFor(() => seen.includes('ready:2'), { what: 'a second instance', timeoutMs: 10_000 });
    expect(seen.indexOf('dispose:1')).toBeLessThan(seen.indexOf('init:2'));
    await h.host.messenger.publish(Item, 'ws1', { n: 2 }, { cls: 'bulk' });
    await waitFor(() => seen.includes('item:2:2:true'), { what: 'the second item handled by the second instance' });
    expect(await h.host.messenger.request(Ask, 'ws1', {})).toEqual({ id: 2, ready: true });
    expect(seen.filter((s) => s.startsWith('item:'))).toEqual(['item:1:1:true', 'item:2:2:true']);
  });

  it('disposes the instance on stop', async () => {
    await h.stop();
    expect(seen.at(-1)).toBe('dispose:2');
    expect(seen.filter((s) => s.startsWith('dispose:'))).toEqual(['dispose:1', 'dispose:2']);
  });
});

describe('an instance that cannot be built', () => {
  it('gives the lease up, so leadership is taken again (here or elsewhere) rather than held by nobody leading', async () => {
    let attempts = 0;
    const failing = defineActor({
      name: 'lifecycle-probe',
      singleton: true,
      init() {
        // The first activation fails to load its state (NATS unavailable a moment, say).
        if (++attempts === 1) throw new Error('state not readable');
        return new Probe(attempts);
      },
    }).serve({ endpoints: [endpoint(Ask, async (_body, _ctx, p) => ({ id: p.id, ready: true }))] });
    const h = await startHost(server, [failing]);
    try {
      const answer = await waitFor(() => h.host.messenger.request(Ask, 'ws1', {}, 1_000).catch(() => null), {
        what: 'a leader that leads',
        timeoutMs: 15_000,
      });
      expect(answer).toEqual({ id: 2, ready: true });
      expect(attempts).toBe(2);
    } finally {
      await h.stop();
    }
  });
});

describe('a pool actor', () => {
  it('answers "ask again" (503) while its instance is being built, not "not served here"', async () => {
    let release!: () => void;
    const gate = new Promise<void>((r) => {
      release = r;
    });
    const pool = defineActor({
      name: 'lifecycle-pool',
      async init() {
        await gate;
        return { ready: true };
      },
    }).serve({ endpoints: [endpoint(PoolAsk, async (_body, _ctx, self) => ({ ok: self.ready }))] });
    const nc = await connectAs(server);
    const host = new ActorHost({ nc, log: createLogger({ level: 'silent' }), workspaces: ['ws1'] });
    const started = host.start([pool]);
    try {
      // Once the control service is up (no more "no responders"), its answer while init waits:
      const early = await waitFor(async () => {
        const e = await host.messenger.request(PoolAsk, 'ws1', {}, 1_000).catch((err: unknown) => err);
        return e instanceof ControlError && e.code !== 'no_responders' ? e : null;
      });
      expect(early).toMatchObject({ status: 503 });
      release();
      await started;
      expect(await host.messenger.request(PoolAsk, 'ws1', {})).toEqual({ ok: true });
    } finally {
      release();
      await started.catch(() => undefined);
      await host.stop(1_000);
      await nc.close();
    }
  });

  it("gets one instance per workspace, and each item is handled by its workspace's", async () => {
    const seen: string[] = [];
    const made: string[] = [];
    const pool = defineActor({
      name: 'lifecycle-pool',
      init: (ctx) => {
        made.push(ctx.ws);
        return { ws: ctx.ws };
      },
    }).serve({
      queues: [
        {
          stage: 'notify',
          classes: ['event'],
          handlers: [
            on(PoolItem, async (body, ctx, self) => {
              seen.push(`${body.n}:${ctx.ws}:${self.ws}`);
            }),
          ],
        },
      ],
    });
    const h = await startHost(server, [pool], { workspaces: ['ws1', 'ws2'] });
    try {
      expect(made.sort()).toEqual(['ws1', 'ws2']);
      await h.host.messenger.publish(PoolItem, 'ws1', { n: 1 }, { cls: 'event' });
      await h.host.messenger.publish(PoolItem, 'ws2', { n: 2 }, { cls: 'event' });
      await waitFor(() => seen.length === 2, { what: 'both items handled' });
      expect(seen.sort()).toEqual(['1:ws1:ws1', '2:ws2:ws2']);
    } finally {
      await h.stop();
    }
  });
});
