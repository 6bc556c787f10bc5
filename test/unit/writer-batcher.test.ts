import { describe, expect, it } from 'vitest';
import { WriteBatcher, type BatchMember } from '../../actors/writer/index.ts';

interface Call {
  updates: string[];
  members: string[];
}

function setup(o: { maxRecords?: number; delayMs?: number; maxWaitMs?: number; fail?: Error; heartbeatMs?: number; holdMs?: number } = {}) {
  const calls: Call[] = [];
  const b = new WriteBatcher<string, string, string>({
    maxRecords: o.maxRecords ?? 5,
    delayMs: o.delayMs ?? 30,
    maxWaitMs: o.maxWaitMs,
    heartbeatMs: o.heartbeatMs,
    keyOf: (u) => u.split('=')[0],
    send: async (updates, members) => {
      calls.push({ updates, members: members.map((m) => m.context) });
      if (o.holdMs) await new Promise((r) => setTimeout(r, o.holdMs));
      if (o.fail) throw o.fail;
      return updates.map((u) => `ok:${u}`);
    },
  });
  const beats: string[] = [];
  const member = (name: string): BatchMember<string> => ({ context: name, heartbeat: () => beats.push(name) });
  return { b, calls, beats, member };
}

describe('WriteBatcher', () => {
  it('items arriving within the delay share one call; each gets its own results in order', async () => {
    const { b, calls, member } = setup();
    const one = b.submit(['a=1', 'b=1'], member('one'));
    const two = b.submit(['c=1'], member('two'));
    expect(calls).toHaveLength(0); // nothing sent before the delay
    expect(await one).toEqual(['ok:a=1', 'ok:b=1']);
    expect(await two).toEqual(['ok:c=1']);
    expect(calls).toEqual([{ updates: ['a=1', 'b=1', 'c=1'], members: ['one', 'two'] }]);
  });

  it('flushes at once when the call is full, splitting an item that does not fit across two calls', async () => {
    const { b, calls, member } = setup({ maxRecords: 3, delayMs: 10_000 });
    const a = b.submit(['a=1', 'b=1'], member('a'));
    const c = b.submit(['c=1', 'd=1'], member('c')); // c fills the first call to 3: it goes now; d waits
    const e = b.submit(['e=1', 'f=1'], member('e')); // fills the second call to 3: goes now
    expect(await c).toEqual(['ok:c=1', 'ok:d=1']); // the item's results, in order, from both calls
    await Promise.all([a, e]);
    expect(calls.map((x) => x.updates)).toEqual([
      ['a=1', 'b=1', 'c=1'],
      ['d=1', 'e=1', 'f=1'],
    ]);
  });

  it('fills a call from a trickle slower than the gap window would allow, up to the longest wait', async () => {
    const { b, calls, member } = setup({ maxRecords: 6, delayMs: 300, maxWaitMs: 5_000 });
    const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
    const items: Promise<string[]>[] = [];
    // One record every 80 ms: six take 400 ms, longer than the 300 ms gap, so a fixed window of
    // that length would send a call of about four.
    for (const k of ['a', 'b', 'c', 'd', 'e', 'f', 'g']) {
      items.push(b.submit([`${k}=1`], member(k)));
      await sleep(80);
    }
    await Promise.all(items);
    // Full call of six; then 'g' waits for a 300 ms gap and goes alone.
    expect(calls.map((c) => c.updates)).toEqual([['a=1', 'b=1', 'c=1', 'd=1', 'e=1', 'f=1'], ['g=1']]);

    const slow = setup({ maxRecords: 100, delayMs: 500, maxWaitMs: 800 });
    const started = Date.now();
    const more: Promise<string[]>[] = [];
    for (let i = 0; i < 8; i++) {
      more.push(slow.b.submit([`k${i}=1`], slow.member(`k${i}`)));
      await sleep(150);
    }
    await Promise.all(more);
    // Never a 500 ms gap, so the longest wait decides: the first call goes at 800 ms with about
    // six (a gap alone would send all eight at once; a 500 ms window, about four).
    expect(slow.calls.length).toBeGreaterThanOrEqual(2);
    expect(slow.calls.length).toBeLessThan(8);
    expect(slow.calls[0].updates.length).toBeGreaterThanOrEqual(3);
    expect(slow.calls[0].updates.length).toBeGreaterThanOrEqual(5);
    expect(Date.now() - started).toBeLessThan(5_000);
  });

  it('never puts one record twice into a call', async () => {
    const { b, calls, member } = setup();
    const x = b.submit(['a=1'], member('x'));
    const y = b.submit(['a=2', 'b=2'], member('y'));
    expect(await x).toEqual(['ok:a=1']);
    expect(await y).toEqual(['ok:a=2', 'ok:b=2']);
    expect(calls.map((c) => c.updates)).toEqual([['a=1'], ['a=2', 'b=2']]);
  });

  it('a failed call fails every item it carried', async () => {
    const { b, member } = setup({ fail: new Error('503 from Salesforce') });
    const r = await Promise.allSettled([b.submit(['a=1'], member('a')), b.submit(['b=1'], member('b'))]);
    expect(r.map((x) => x.status)).toEqual(['rejected', 'rejected']);
    expect((r[0] as PromiseRejectedResult).reason.message).toBe('503 from Salesforce');
  });

  it('keeps every member alive while the call is pending', async () => {
    const { b, beats, member } = setup({ heartbeatMs: 10, holdMs: 80, delayMs: 1 });
    await Promise.all([b.submit(['a=1'], member('a')), b.submit(['b=1'], member('b'))]);
    expect(beats.filter((x) => x === 'a').length).toBeGreaterThanOrEqual(2);
    expect(beats.filter((x) => x === 'b').length).toBeGreaterThanOrEqual(2);
  });

  it('splits an item larger than one call, and refuses a bad size', async () => {
    const { b, calls, member } = setup({ maxRecords: 2, delayMs: 1 });
    expect(await b.submit(['a=1', 'b=1', 'c=1'], member('big'))).toEqual(['ok:a=1', 'ok:b=1', 'ok:c=1']);
    expect(calls.map((x) => x.updates)).toEqual([['a=1', 'b=1'], ['c=1']]);
    expect(() => new WriteBatcher({ maxRecords: 0, delayMs: 1, keyOf: String, send: async () => [] })).toThrow(/maxRecords/);
  });

  it('refuses an answer with the wrong number of results', async () => {
    const b = new WriteBatcher<string, string, string>({ maxRecords: 5, delayMs: 1, keyOf: String, send: async () => ['only one'] });
    await expect(b.submit(['a', 'b'], { context: 'x', heartbeat: () => undefined })).rejects.toThrow(/2 records answered 1 results/);
  });
});
