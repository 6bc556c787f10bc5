import { encode } from '@msgpack/msgpack';
import { headers as natsHeaders } from 'nats';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { Headers, RetryableError, subject, workMessage } from '../../protocol/index.ts';
import { ActorHost, createLogger, on, type ActorDef } from '../../runtime/index.ts';
import { startNatsServer, type NatsServerHandle } from '../helpers/nats-server.ts';
import { connectAs, startHost, waitFor, type TestHost } from '../helpers/host.ts';

// Test-only message types on real stages.
const Ping = workMessage('notify.test-ping.v1', 'notify', z.object({ n: z.number().int(), mode: z.string().default('ok') }));

class Flaky extends RetryableError {
  override name = 'Flaky';
}

let server: NatsServerHandle;
const seen: { n: number; delivery: number; at: number; host: string }[] = [];

function actor(hostName: string, extra: Partial<ActorDef> = {}): ActorDef {
  return {
    name: 'notifier',
    queues: [
      {
        stage: 'notify',
        classes: ['event'],
        concurrency: 4,
        tuning: { ackWaitMs: 1_000, maxDeliver: 3 },
        handlers: [
          on(Ping, async (body, ctx) => {
            seen.push({ n: body.n, delivery: ctx.deliveryCount, at: Date.now(), host: hostName });
            if (body.mode === 'retry') throw new Flaky('temporary');
            if (body.mode === 'fatal') throw new Error('permanent failure');
            if (body.mode === 'hang') await new Promise((r) => setTimeout(r, 60_000));
            if (body.mode === 'slow') await new Promise((r) => setTimeout(r, 3_500));
          }),
        ],
      },
    ],
    ...extra,
  };
}

async function dlqMessages(h: TestHost): Promise<{ reason: string; error: string; type: string | null }[]> {
  return (await h.host.deadLetters.list('ws1', { limit: 100 })).letters;
}

beforeAll(async () => {
  server = await startNatsServer();
});
afterAll(async () => {
  await server?.stop();
});

describe('work queues', () => {
  it('sends poison of each kind to the DLQ and keeps processing valid messages', async () => {
    const h = await startHost(server, [actor('a')]);
    try {
      const subj = subject('peoplesync', { kind: 'work', ws: 'ws1', stage: 'notify', cls: 'event' });
      const js = h.nc.jetstream();
      const send = (type: string | null, data: Uint8Array, ct = 'application/msgpack') => {
        const hd = natsHeaders();
        if (type) hd.set(Headers.type, type);
        hd.set(Headers.contentType, ct);
        return js.publish(subj, data, { headers: hd });
      };
      seen.length = 0;
      await send(Ping.type, new Uint8Array([0xc1, 0xff, 0x00])); // not msgpack
      await send('notify.nothing-like-this.v1', encode({ n: 1 })); // unknown type
      await send(null, encode({ n: 1 })); // no type at all
      await send(Ping.type, encode({ n: 'seven' })); // schema-invalid
      await send(Ping.type, new TextEncoder().encode('{"n": 5'), 'application/json'); // truncated JSON
      await send(Ping.type, encode({ n: 42 }));
      await send(Ping.type, new TextEncoder().encode('{"n": 43}'), 'application/json');
      await waitFor(() => seen.length >= 2, { what: 'valid messages' });
      const letters = await waitFor(
        async () => {
          const l = await dlqMessages(h);
          return l.length >= 5 ? l : null;
        },
        { what: 'five dead letters' },
      );
      expect(seen.map((s) => s.n).sort()).toEqual([42, 43]);
      expect(letters.map((l) => l.reason).sort()).toEqual(['invalid_body', 'undecodable', 'undecodable', 'unknown_type', 'unknown_type']);
      expect(letters.find((l) => l.reason === 'invalid_body')?.error).toMatch(/n: .*number/i);
      const info = await (await h.nc.jetstreamManager()).streams.info('PEOPLESYNC_WORK');
      expect(info.state.messages).toBe(0); // every original was acked
    } finally {
      await h.stop();
    }
  });

  it('backs off on retryable errors and dead-letters on the last delivery', async () => {
    const h = await startHost(server, [actor('a')]);
    try {
      seen.length = 0;
      await h.host.messenger.publish(Ping, 'ws1', { n: 7, mode: 'retry' }, { cls: 'event' });
      await h.host.messenger.publish(Ping, 'ws1', { n: 8, mode: 'fatal' }, { cls: 'event' });
      const letters = await waitFor(
        async () => {
          const l = await dlqMessages(h);
          return l.filter((x) => x.reason === 'max_deliveries' || x.reason === 'permanent_error').length >= 2 ? l : null;
        },
        { what: 'dead letters for exhausted and fatal' },
      );
      const sevens = seen.filter((s) => s.n === 7);
      expect(sevens.map((s) => s.delivery)).toEqual([1, 2, 3]);
      // exponential backoff: the second gap is longer than the first (base 100 ms, jittered 50-100%)
      const gap1 = sevens[1].at - sevens[0].at;
      const gap2 = sevens[2].at - sevens[1].at;
      expect(gap1).toBeGreaterThanOrEqual(40);
      expect(gap2).toBeGreaterThanOrEqual(90);
      expect(seen.filter((s) => s.n === 8)).toHaveLength(1); // not retried
      expect(letters.some((l) => l.reason === 'max_deliveries' && /temporary/.test(l.error))).toBe(true);
      expect(letters.some((l) => l.reason === 'permanent_error' && /permanent failure/.test(l.error))).toBe(true);
    } finally {
      await h.stop();
    }
  });

  it('redelivers the work of a crashed host to a live one', async () => {
    const a = await startHost(server, [actor('crashy')]);
    seen.length = 0;
    await a.host.messenger.publish(Ping, 'ws1', { n: 99, mode: 'hang' }, { cls: 'event' });
    await waitFor(() => seen.some((s) => s.n === 99), { what: 'first delivery' });
    await a.kill();
    const b = await startHost(server, [actor('survivor')]);
    try {
      const again = await waitFor(() => seen.find((s) => s.n === 99 && s.host === 'survivor'), { what: 'redelivery' });
      expect(again.delivery).toBe(2);
    } finally {
      const nc = await connectAs(server, 'admin');
      await (await nc.jetstreamManager()).streams.purge('PEOPLESYNC_WORK'); // the hanging item
      await nc.close();
      await b.stop(100);
    }
  });

  it('keeps items running or waiting for a slot past the ack wait, so none is done twice', async () => {
    const h = await startHost(server, [actor('a')]);
    try {
      seen.length = 0;
      // Four run at once for 3.5 s against a 1 s ack wait; the fifth waits 3.5 s for a slot.
      for (let n = 200; n < 205; n++) await h.host.messenger.publish(Ping, 'ws1', { n, mode: 'slow' }, { cls: 'event' });
      await waitFor(() => seen.filter((s) => s.n >= 200).length >= 5, { what: 'five slow items' });
      await new Promise((r) => setTimeout(r, 5_000)); // the fifth finishes, and a redelivery would show
      const slow = seen.filter((s) => s.n >= 200);
      expect(slow.map((s) => s.n).sort()).toEqual([200, 201, 202, 203, 204]);
      expect(slow.every((s) => s.delivery === 1)).toBe(true);
    } finally {
      await h.stop(5_000);
    }
  });

  it('lets an item go to another delivery once its handler has held it too long', async () => {
    const h = await startHost(server, [actor('a')], { holdMs: 2_000 });
    try {
      seen.length = 0;
      await h.host.messenger.publish(Ping, 'ws1', { n: 300, mode: 'hang' }, { cls: 'event' });
      const again = await waitFor(() => seen.find((s) => s.n === 300 && s.delivery === 2), { what: 'redelivery after the hold' });
      const first = seen.find((s) => s.n === 300 && s.delivery === 1)!;
      // Held for 2 s by heartbeats, then redelivered after one more ack wait (1 s).
      expect(again.at - first.at).toBeGreaterThanOrEqual(2_500);
    } finally {
      const nc = await connectAs(server, 'admin');
      await (await nc.jetstreamManager()).streams.purge('PEOPLESYNC_WORK'); // the hanging item
      await nc.close();
      await h.stop(100);
    }
  });

  it('shares one queue between two hosts without processing anything twice', async () => {
    const a = await startHost(server, [actor('a')]);
    const b = await startHost(server, [actor('b')]);
    try {
      seen.length = 0;
      const N = 400;
      await Promise.all(Array.from({ length: N }, (_, i) => a.host.messenger.publish(Ping, 'ws1', { n: i }, { cls: 'event' })));
      await waitFor(() => seen.length >= N, { what: `${N} messages` });
      await new Promise((r) => setTimeout(r, 1_500)); // longer than ack_wait: nothing comes back
      const ns = seen.map((s) => s.n);
      expect(new Set(ns).size).toBe(N);
      expect(ns).toHaveLength(N);
      const byHost = { a: seen.filter((s) => s.host === 'a').length, b: seen.filter((s) => s.host === 'b').length };
      expect(byHost.a).toBeGreaterThan(0);
      expect(byHost.b).toBeGreaterThan(0);
    } finally {
      await a.stop();
      await b.stop();
    }
  });

  it('keeps each publish its own message id: headers built once for publishes without one never take another', async () => {
    const h = await startHost(server, [actor('a')]);
    try {
      seen.length = 0;
      const send = (n: number, msgId?: string) => h.host.messenger.publish(Ping, 'ws1', { n }, { cls: 'event', msgId });
      await send(1);
      await send(2, 'ping-with-id');
      await send(2, 'ping-with-id'); // a duplicate: dropped by the stream
      await send(3);
      await send(4);
      // Had the id gone into headers that later publishes share, 3 and 4 would carry it too and be
      // dropped as duplicates.
      await waitFor(() => seen.length >= 4, { what: 'four distinct messages' });
      await new Promise((r) => setTimeout(r, 300));
      expect(seen.map((s) => s.n).sort()).toEqual([1, 2, 3, 4]);
    } finally {
      await h.stop();
    }
  });

  it("reads each item's workspace from its subject under a prefix of several tokens", async () => {
    // The admin user: the least-privilege users of nats.conf are for the `peoplesync` prefix only.
    const nc = await connectAs(server, 'admin');
    const host = new ActorHost({ nc, log: createLogger({ level: 'silent' }), workspaces: ['ws1', 'ws2'], prefix: 'corp.sync' });
    const heard: string[] = [];
    const notifier: ActorDef = {
      name: 'notifier',
      queues: [{ stage: 'notify', classes: ['event'], handlers: [on(Ping, async (body, ctx) => void heard.push(`${ctx.ws}:${body.n}`))] }],
    };
    try {
      await host.start([notifier]);
      await host.messenger.publish(Ping, 'ws1', { n: 1 }, { cls: 'event' });
      await host.messenger.publish(Ping, 'ws2', { n: 2 }, { cls: 'event' });
      await waitFor(() => heard.length >= 2, { what: 'both items' });
      expect(heard.sort()).toEqual(['ws1:1', 'ws2:2']);
    } finally {
      await host.stop(1_000);
      await nc.close();
    }
  });

  it('refuses connections without credentials', async () => {
    const { connect } = await import('nats');
    await expect(connect({ servers: server.url, reconnect: false })).rejects.toThrow(/authorization/i);
    const obs = await connectAs(server, 'observer');
    await obs.close();
  });
});
