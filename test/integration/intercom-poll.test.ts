// The Intercom change poll reads what changed since the previous poll, not every contact updated
// since the start of the day before (about 31 searches a poll on a 5,000-person workspace): search
// sorted newest first (API-FACTS "Intercom REST API"), it stops at the first contact older than
// the previous poll's start less search's lag. The worker's and the sandbox's clocks move forward
// together instead of waiting.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { IC_SEARCH_LAG_SECONDS } from '../../actors/polling/index.ts';
import { type MatchContacts, PollIntercom, type BodyOf } from '../../protocol/index.ts';
import { Headers, decodeMessage } from '../../protocol/index.ts';
import type { Worker } from '../../cli/worker.ts';
import { waitFor } from '../helpers/host.ts';
import { type TestSystem, WS, startSystem } from '../helpers/system.ts';

let sys: TestSystem;
let w: Worker;
let shift = 0;
let tick = 0;
const polled: string[][] = [];
const searches = () => sys.sandboxes.intercom.stats().calls['POST /contacts/search'] ?? 0;
const settle = () => new Promise((r) => setTimeout(r, 500));

async function pollOnce(): Promise<number> {
  const before = searches();
  const cursors = await sys.kv('cursors');
  const was = (await cursors.getRaw(`${WS}.ic`))?.revision ?? 0;
  await w.host.messenger.publish(PollIntercom, WS, { tick: ++tick }, { cls: 'event', msgId: `ic:${tick}` });
  await waitFor(async () => ((await cursors.getRaw(`${WS}.ic`))?.revision ?? 0) > was, { what: 'the poll done' });
  await settle();
  return searches() - before;
}

function moveClocks(ms: number): void {
  shift += ms;
  sys.sandboxes.intercom.advanceClock(ms);
}

beforeAll(async () => {
  sys = await startSystem({ generator: { people: 600 }, intercom: { searchDelayMs: 0 } });
  sys.nc.subscribe(`peoplesync.work.${WS}.match.event`, {
    callback: (_e, m) => {
      const body = decodeMessage(m.headers?.get(Headers.type), m.data, m.headers?.get(Headers.contentType)).body;
      polled.push((body as BodyOf<typeof MatchContacts>).contacts.map((c) => c.id));
    },
  });
  w = await sys.startWorker(['polling'], {}, { now: () => Date.now() + shift });
  // Whatever the generator dated within the day before is behind the first poll's start.
  moveClocks(2 * 86_400_000);
  await pollOnce(); // the first poll starts the cursor at now
}, 60_000);
afterAll(async () => {
  await sys?.stop();
});

describe('the Intercom change poll', () => {
  it('reads 400 changes once they are in, then a page, not every contact updated since yesterday', async () => {
    const ic = sys.sandboxes.intercom;
    const changed = ic
      .contacts()
      .slice(0, 400)
      .map((c) => c.id);
    for (const id of changed) ic.userChange(id, { custom_attributes: { plan: 'Pro' } });
    moveClocks(1_000);
    polled.length = 0;
    expect(await pollOnce()).toBe(Math.ceil(400 / 150));
    expect(new Set(polled.flat())).toEqual(new Set(changed));
    // Within search's lag of that poll they are read again (matching drops them as seen)...
    moveClocks((IC_SEARCH_LAG_SECONDS + 1) * 1000);
    expect(await pollOnce()).toBeLessThanOrEqual(Math.ceil(400 / 150));
    // ...and once a poll began past it, a poll stops at its first page.
    moveClocks((IC_SEARCH_LAG_SECONDS + 1) * 1000);
    polled.length = 0;
    expect(await pollOnce()).toBe(1);
    expect(polled.flat()).toEqual([]);
  });

  it('still finds a change search did not show the previous poll (its lag)', async () => {
    const ic = sys.sandboxes.intercom;
    ic.configure({ searchDelayMs: 120_000 });
    const late = ic.contacts().at(-1)!;
    ic.userChange(late.id, { custom_attributes: { plan: 'Late' } });
    polled.length = 0;
    await pollOnce();
    expect(polled.flat()).not.toContain(late.id); // not in the search index yet
    moveClocks(121_000);
    await pollOnce();
    expect(polled.flat()).toContain(late.id);
  });
});
