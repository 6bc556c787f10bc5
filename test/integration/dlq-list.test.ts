// Listing dead letters a page at a time: a cursor by sequence reaches every letter exactly once
// however many there are, and filters by reason, stage, type and run select exactly theirs.
import { headers as natsHeaders } from 'nats';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DlqList, Headers, type ReplyOf } from '../../protocol/index.ts';
import type { Messenger } from '../../runtime/index.ts';
import { type TestSystem, WS, startSystem } from '../helpers/system.ts';
import { messenger } from './errors-helpers.ts';

const N = 2_500;
const REASONS = ['undecodable', 'invalid_body', 'permanent_error', 'max_deliveries', 'unknown_type'];
const STAGES = ['match', 'map', 'sfwrite', 'icwrite', 'errors'];
let sys: TestSystem;
let m: Messenger;

beforeAll(async () => {
  sys = await startSystem({ generator: { people: 5 } });
  await sys.startWorker(['errors']);
  m = messenger(sys.nc);
  // Letters as the work queues leave them, published straight to the DLQ stream.
  const js = sys.nc.jetstream();
  const body = new Uint8Array(300).fill(0x61);
  for (let i = 0; i < N; i += 250) {
    await Promise.all(
      Array.from({ length: 250 }, (_, k) => {
        const n = i + k;
        const h = natsHeaders();
        h.set(Headers.type, `${STAGES[n % 5]}.thing.v1`);
        h.set(Headers.dlqReason, REASONS[n % 5 === 0 ? 0 : n % 2 ? 1 : 2]);
        h.set(Headers.dlqSubject, `peoplesync.work.${WS}.${STAGES[n % 5]}.bulk`);
        h.set(Headers.dlqError, `error ${n}`);
        if (n % 7 === 0) h.set(Headers.run, 'r7');
        return js.publish(`peoplesync.dlq.${WS}.${STAGES[n % 5]}`, body, { headers: h });
      }),
    );
  }
}, 120_000);
afterAll(async () => {
  await sys?.stop();
});

async function all(filter: Record<string, unknown>, limit: number): Promise<{ seqs: number[]; pages: number }> {
  const seqs: number[] = [];
  let pages = 0;
  for (let after: number | null = 0; after !== null; pages++) {
    const page: ReplyOf<typeof DlqList> = await m.request(DlqList, WS, { limit, after, ...filter }, 30_000);
    seqs.push(...page.letters.map((l) => l.seq));
    after = page.next;
  }
  return { seqs, pages };
}

describe('dead-letter listing', () => {
  it('pages through every letter once, oldest first', async () => {
    const first = await m.request(DlqList, WS, {});
    expect(first.letters).toHaveLength(100);
    expect(first.next).toBe(first.letters[99].seq);
    const { seqs, pages } = await all({}, 1_000);
    expect(seqs).toHaveLength(N);
    expect(new Set(seqs).size).toBe(N);
    expect(seqs).toEqual([...seqs].sort((a, b) => a - b));
    expect(pages).toBe(3);
  });

  it('selects by reason, stage, type and run', async () => {
    const expectCount = async (filter: Record<string, unknown>, n: number) => expect((await all(filter, 1_000)).seqs).toHaveLength(n);
    const count = (pred: (n: number) => boolean) => Array.from({ length: N }, (_, n) => n).filter(pred).length;
    await expectCount(
      { reason: 'undecodable' },
      count((n) => n % 5 === 0),
    );
    await expectCount(
      { stage: 'map' },
      count((n) => n % 5 === 1),
    );
    await expectCount(
      { type: 'sfwrite.thing.v1' },
      count((n) => n % 5 === 2),
    );
    await expectCount(
      { run: 'r7' },
      count((n) => n % 7 === 0),
    );
    await expectCount(
      { run: 'r7', reason: 'invalid_body', stage: 'icwrite' },
      count((n) => n % 7 === 0 && n % 5 === 3 && n % 2 === 1),
    );
    const page = await m.request(DlqList, WS, { limit: 10, run: 'r7' });
    expect(page.letters.every((l) => l.run === 'r7' && l.originalSubject?.startsWith(`peoplesync.work.${WS}.`))).toBe(true);
  });

  it('refuses a filter it does not know with the values it takes', async () => {
    await expect(m.request(DlqList, WS, { reason: 'bored' } as never)).rejects.toThrow(/reason/);
    await expect(m.request(DlqList, WS, { limit: 5_000 })).rejects.toThrow(/limit/);
  });
});
