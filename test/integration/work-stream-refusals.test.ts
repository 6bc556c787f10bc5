// Nothing stays in the work stream for good and nothing goes without a trace: a work item on a
// (stage, class) no queue takes, or larger than the limit, is refused at publish; an item of a
// workspace no process serves, or naming a run never recorded, ends in the DLQ; a letter of a
// body too large to keep whole keeps its beginning, size and digest.
import { createHash } from 'node:crypto';
import { encode } from '@msgpack/msgpack';
import { headers as natsHeaders } from 'nats';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { Headers, workMessage } from '../../protocol/index.ts';
import { type ActorDef, on } from '../../runtime/index.ts';
import { type TestHost, startHost, waitFor } from '../helpers/host.ts';
import { type NatsServerHandle, startNatsServer } from '../helpers/nats-server.ts';

const Ping = workMessage('match.test-ping.v1', 'match', z.object({ n: z.number().int() }));
const handled: number[] = [];

const actor: ActorDef = {
  name: 'matching',
  queues: [
    {
      stage: 'match',
      classes: ['bulk'],
      tuning: { ackWaitMs: 1_000, maxDeliver: 3 },
      handlers: [
        on(Ping, async (body) => {
          handled.push(body.n);
        }),
      ],
    },
  ],
};

let server: NatsServerHandle;
let h: TestHost;
beforeAll(async () => {
  server = await startNatsServer();
  h = await startHost(server, [actor]);
});
afterAll(async () => {
  await h?.stop();
  await server?.stop();
});

function send(subject: string, data: Uint8Array, extra: Record<string, string> = {}) {
  const hd = natsHeaders();
  hd.set(Headers.type, Ping.type);
  hd.set(Headers.contentType, 'application/msgpack');
  for (const [k, v] of Object.entries(extra)) hd.set(k, v);
  return h.nc.jetstream().publish(subject, data, { headers: hd });
}
const letters = async (ws = 'ws1') => (await h.host.deadLetters.list(ws, { limit: 100 })).letters;
const letterOf = (pred: (l: Awaited<ReturnType<typeof letters>>[number]) => boolean, what: string, ws = 'ws1') =>
  waitFor(async () => (await letters(ws)).find(pred), { what, timeoutMs: 30_000 });

describe('the work stream', () => {
  it('refuses at publish a work item on a stage and class no queue takes', async () => {
    for (const subj of ['peoplesync.work.ws1.scan.retry', 'peoplesync.work.ws1.notify.interactive', 'peoplesync.work.ws1.nothing.bulk']) {
      await expect(send(subj, encode({ n: 1 }))).rejects.toThrow();
    }
    const info = await (await h.nc.jetstreamManager()).streams.info('PEOPLESYNC_WORK', { subjects_filter: '>' });
    expect(info.state.messages).toBe(0);
  });

  it('refuses at publish a work item larger than the limit', async () => {
    await expect(send('peoplesync.work.ws1.match.bulk', new Uint8Array(6_500_000))).rejects.toThrow(/maximum|size|payload/i);
  });

  it('dead-letters an item of a workspace no process serves, on its last delivery', async () => {
    await send('peoplesync.work.ws9.match.bulk', encode({ n: 9 }));
    // Filed under its own workspace: `nats stream subjects PEOPLESYNC_DLQ` shows it.
    const l = await letterOf((x) => x.reason === 'unserved', 'the unserved letter', 'ws9');
    expect(l).toMatchObject({ originalSubject: 'peoplesync.work.ws9.match.bulk', deliveries: 3 });
    expect(handled).not.toContain(9);
  });

  it('dead-letters an item naming a run that was never recorded', async () => {
    await send('peoplesync.work.ws1.match.bulk', encode({ n: 7 }), { [Headers.run]: 'rnever' });
    const l = await letterOf((x) => x.reason === 'unknown_run', 'the unknown-run letter');
    expect(l).toMatchObject({ run: 'rnever', error: expect.stringMatching(/rnever/) });
    expect(handled).not.toContain(7);
  });

  it('keeps the beginning, size and digest of a body too large to keep whole', async () => {
    const bomb = new Uint8Array(900_000).fill(0x91); // nested arrays, 900 KB deep
    bomb[0] = 0x81;
    bomb[1] = 0xa1;
    bomb[2] = 0x6e;
    bomb[bomb.length - 1] = 0xc0;
    await send('peoplesync.work.ws1.match.bulk', bomb);
    const l = await letterOf((x) => x.reason === 'too_large', 'the too-large letter');
    expect(l).toMatchObject({ truncated: true, size: 900_000, digest: createHash('sha256').update(bomb).digest('hex') });
    const stored = await (await h.nc.jetstreamManager()).streams.getMessage('PEOPLESYNC_DLQ', { seq: l.seq });
    expect(stored.data.length).toBeLessThanOrEqual(4_096);
    expect(Buffer.from(stored.data).equals(Buffer.from(bomb.subarray(0, stored.data.length)))).toBe(true);
    // Listed, never replayed: what is kept is not the message.
    expect(await h.host.deadLetters.replay('ws1', [l.seq])).toEqual({ replayed: 0, missing: [], truncated: [l.seq] });
  });
});
