// Mapping and writer actors on real work queues against a real nats-server and both sandboxes:
// a generated data set synced in a bulk pass ends where an independent model says it should, and
// a second pass writes nothing. Matched pairs are built here from the sandboxes (the matching
// actor's own tests cover matching).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_MAPPINGS, MAX_PART_RECORDS, defaultSettings, writeSettings } from '../../actors/mapping/index.ts';
import type { IcContact, SfRecord } from '../../connectors/types.ts';
import { type BodyOf, MapPairs } from '../../protocol/index.ts';
import type { TestHost } from '../helpers/host.ts';
import { waitFor } from '../helpers/host.ts';
import { FIRST_SAVE_CALLS, startSystem, type TestSystem } from '../helpers/system.ts';
import { actualValues, expectedOutcome, pairUp, untouchedSf, type ModelPair, type PairOutcome } from './mapping-expect.ts';
import { WS, emptyRecord, makeRun, putRun, startTestActors, type Recorded } from './mapping-helpers.ts';

let sys: TestSystem;
let actors: TestHost;
let rec: Recorded;
const PUT = 'PUT /contacts/{id}';

beforeAll(async () => {
  // Every in-common pair differs somewhere, and one in ten carries odd data (too-long phones,
  // plans Salesforce does not know, '' against null, email spelling).
  sys = await startSystem({ generator: { seed: 23, people: 900, differingShare: 0.9, oddShare: 0.1 } });
  rec = emptyRecord();
  actors = await startTestActors(sys, rec);
  await sys.startWorker(['mapping', 'writer']);
});

afterAll(async () => {
  await actors?.stop();
  await sys?.stop();
});

function snapshot(): { pairs: ModelPair[]; sf: Map<string, SfRecord>; ic: Map<string, IcContact> } {
  const leads = sys.sandboxes.salesforce.records('Lead');
  const contacts = sys.sandboxes.salesforce.records('Contact');
  const ic = structuredClone(sys.sandboxes.intercom.contacts());
  return {
    pairs: pairUp(leads, contacts, ic),
    sf: new Map([...leads, ...contacts].map((r) => [r.Id, r])),
    ic: new Map(ic.map((c) => [c.id, c])),
  };
}

/** MapPairs items of up to `size` pairs per object, as matching would send them. */
function batches(
  run: string | undefined,
  pairs: ModelPair[],
  size: number,
  extra: Partial<BodyOf<typeof MapPairs>> = {},
): BodyOf<typeof MapPairs>[] {
  const out: BodyOf<typeof MapPairs>[] = [];
  for (const object of ['Contact', 'Lead'] as const) {
    const mine = pairs.filter((p) => p.object === object);
    for (let i = 0; i * size < mine.length; i++) {
      const chunk = mine.slice(i * size, (i + 1) * size);
      out.push({
        run,
        batchId: `${object}:0:${i}`,
        settingsRevision: 1,
        dryRun: false,
        errorIds: [],
        pairs: chunk.map((p) => ({ object: p.object, sf: p.sf, ic: p.ic as unknown as BodyOf<typeof MapPairs>['pairs'][number]['ic'] })),
        scanned: chunk.length,
        unmatched: 0,
        ambiguous: 0,
        skipped: 0,
        ...extra,
      });
    }
  }
  return out;
}

async function publish(items: BodyOf<typeof MapPairs>[], cls: 'bulk' | 'retry' | 'event'): Promise<void> {
  for (const b of items) await actors.host.messenger.publish(MapPairs, WS, b, { cls, msgId: `test:${b.run ?? cls}:${b.batchId}` });
}

function counters() {
  return { sf: sys.sandboxes.salesforce.stats().byKind.update, ic: sys.sandboxes.intercom.stats().calls[PUT] ?? 0 };
}

describe('mapping and writer pipeline', () => {
  let before: ReturnType<typeof snapshot>;
  let outcomes: PairOutcome[];

  it('a bulk pass leaves both sandboxes as the independent model expects, failures unchanged and reported', async () => {
    before = snapshot();
    outcomes = before.pairs.map((p) => expectedOutcome(p, DEFAULT_MAPPINGS));
    expect(before.pairs.length).toBeGreaterThan(500);
    expect(outcomes.filter((o) => o.failures.length > 0).length).toBeGreaterThan(5);
    await putRun(sys, makeRun('r1', 'running', 1));
    const items = batches('r1', before.pairs, 450);
    await publish(items, 'bulk');

    // Every batch reports once; every part it names reports once.
    await waitFor(() => rec.batches.filter((b) => b.run === 'r1').length === items.length, { what: 'batches mapped', timeoutMs: 30_000 });
    const mapped = rec.batches.filter((b) => b.run === 'r1');
    const partCount = mapped.reduce((n, b) => n + b.parts.length, 0);
    await waitFor(() => rec.parts.filter((p) => p.run === 'r1').length === partCount, { what: 'parts written', timeoutMs: 30_000 });

    const after = snapshot();
    for (const o of outcomes) {
      const sf = after.sf.get(o.pair.sf.Id) as SfRecord;
      const ic = after.ic.get(o.pair.ic.id) as IcContact;
      expect(actualValues(o, sf, ic), `pair ${o.pair.sf.Id} / ${o.pair.ic.id}`).toEqual({ sf: o.sf, ic: o.ic });
      expect(untouchedSf(o.pair.sf, sf, Object.keys(o.sf))).toEqual({});
    }

    // Counts per batch, from the model: unchanged = nothing to write and nothing failing.
    const byId = new Map(outcomes.map((o) => [o.pair.sf.Id, o]));
    for (const [b, item] of mapped.map((b) => [b, items.find((i) => i.batchId === b.batchId)] as const)) {
      const os = (item?.pairs ?? []).map((p) => byId.get(p.sf.Id) as PairOutcome);
      const sfWrites = os.filter((o) => o.writesSf).length;
      const icWrites = os.filter((o) => o.writesIc).length;
      expect(b).toMatchObject({
        inCommon: os.length,
        scanned: os.length,
        failed: os.filter((o) => o.failures.length > 0).length,
        unchanged: os.filter((o) => o.failures.length === 0 && !o.writesSf && !o.writesIc).length,
      });
      const sizes = (system: string) => b.parts.filter((p) => p.system === system).map((p) => p.records);
      expect(sizes('salesforce').reduce((a, n) => a + n, 0)).toBe(sfWrites);
      expect(sizes('intercom').reduce((a, n) => a + n, 0)).toBe(icWrites);
      expect(sizes('salesforce').length).toBe(Math.ceil(sfWrites / MAX_PART_RECORDS));
    }

    expect(mapped.some((b) => b.parts.filter((p) => p.system === 'salesforce').length > 1)).toBe(true);

    const parts = rec.parts.filter((p) => p.run === 'r1');
    expect(parts.reduce((n, p) => n + p.updated, 0)).toBe(
      outcomes.filter((o) => o.writesSf).length + outcomes.filter((o) => o.writesIc).length,
    );
    expect(parts.every((p) => p.failed === 0)).toBe(true);

    // One sync error per value that could not be converted, naming it.
    const expected = outcomes
      .flatMap((o) => o.failures)
      .map((f) => `${f.sfId}|${f.field}|${f.cause}`)
      .sort();
    const errors = rec.errors.filter((e) => e.run === 'r1');
    expect(errors.map((e) => `${e.sfId}|${e.attributes[0]}|${e.cause}`).sort()).toEqual(expected);
    const tooLong = errors.find((e) => e.cause === 'field_too_long');
    expect(tooLong).toMatchObject({
      syncType: 'bulk',
      direction: 'intercom_to_salesforce',
      details: { sfField: 'Phone', icAttribute: 'phone', value: expect.any(String) },
    });
    expect((await actors.host.deadLetters.list(WS, { limit: 10 })).letters).toEqual([]);
  });

  it('a second pass writes nothing: every pair is unchanged or still failing', async () => {
    const again = snapshot();
    const start = counters();
    await putRun(sys, makeRun('r2', 'running', 1));
    const items = batches('r2', again.pairs, 450);
    await publish(items, 'bulk');
    await waitFor(() => rec.batches.filter((b) => b.run === 'r2').length === items.length, {
      what: 'second pass mapped',
      timeoutMs: 30_000,
    });
    const mapped = rec.batches.filter((b) => b.run === 'r2');
    expect(mapped.flatMap((b) => b.parts)).toEqual([]);
    const failing = outcomes.filter((o) => o.failures.length > 0).length;
    expect(mapped.reduce((n, b) => n + b.failed, 0)).toBe(failing);
    expect(mapped.reduce((n, b) => n + b.unchanged, 0)).toBe(again.pairs.length - failing);
    // Give stray writes a moment to show up before declaring there are none.
    await new Promise((r) => setTimeout(r, 300));
    expect(counters()).toEqual(start);
  });

  it('a dry run reports what would change and writes nothing', async () => {
    const now = snapshot();
    const target = now.pairs.filter((p) => p.object === 'Contact').slice(0, 7);
    for (const p of target) sys.sandboxes.intercom.userChange(p.ic.id, { custom_attributes: { score: 12.34 } });
    const start = counters();
    await putRun(sys, makeRun('r3', 'running', 1, true));
    const changed = snapshot().pairs.filter((p) => target.some((t) => t.sf.Id === p.sf.Id));
    await publish(batches('r3', changed, 450, { dryRun: true }), 'bulk');
    const b = await waitFor(() => rec.batches.find((x) => x.run === 'r3'), { what: 'dry run mapped' });
    expect(b.parts).toEqual([]);
    expect(b.wouldUpdate).toEqual({ salesforce: 7, intercom: 0 });
    expect(b.sample).toHaveLength(5);
    expect(b.sample[0].changes).toMatchObject([{ attribute: 'Score__c', to: 12.34, direction: 'intercom_to_salesforce' }]);
    await new Promise((r) => setTimeout(r, 300));
    expect(counters()).toEqual(start);
  });

  it('describes are fetched once per object and again only for a newer settings revision', async () => {
    const describes = () => sys.sandboxes.salesforce.stats().byKind.describe;
    // The first settings save read both describes; every batch since (two objects, several runs)
    // shared two more, fetched once by the pipeline's worker.
    const first = FIRST_SAVE_CALLS;
    expect(describes()).toBe(first + 2);
    const revision = await writeSettings(await sys.kv('settings'), WS, defaultSettings({ sfApiLimit: 16_000 }));
    const inSync = (o: PairOutcome) => o.failures.length === 0 && !o.writesSf && !o.writesIc;
    const contacts = snapshot()
      .pairs.filter((p) => p.object === 'Contact' && inSync(expectedOutcome(p, DEFAULT_MAPPINGS)))
      .slice(0, 1);
    const resync = async (batchId: string, settingsRevision: number) => {
      const [item] = batches(undefined, contacts, 1, { batchId, settingsRevision });
      await publish([item], 'retry');
      await waitFor(() => rec.resolved.some((r) => r.sfId === contacts[0].sf.Id && r.direction === null && r.at >= sent), {
        what: `${batchId} mapped`,
      });
    };
    let sent = Date.now();
    await resync('retry:rev2-a', revision);
    expect(describes()).toBe(first + 3); // a newer revision may map fields the cached describe predates
    sent = Date.now();
    await resync('retry:rev2-b', revision);
    sent = Date.now();
    await resync('retry:rev1', 1);
    expect(describes()).toBe(first + 3);
  });
});
