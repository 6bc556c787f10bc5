// The same end state as mapping-pipeline, reached through the matching actor: the test plays the
// coordinator and polling (index refresh, then Salesforce records in batches, Contacts before
// Leads), and matching, mapping and writer do the rest on real queues.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_MAPPINGS } from '../../actors/mapping/index.ts';
import type { IcContact, SfObject, SfRecord } from '../../connectors/types.ts';
import { IndexRefresh, MatchRecords } from '../../protocol/index.ts';
import type { TestHost } from '../helpers/host.ts';
import { waitFor } from '../helpers/host.ts';
import { startSystem, type TestSystem } from '../helpers/system.ts';
import { actualValues, expectedOutcome, pairUp, type PairOutcome } from './mapping-expect.ts';
import { WS, emptyRecord, makeRun, putRun, startTestActors, type Recorded } from './mapping-helpers.ts';

let sys: TestSystem;
let actors: TestHost;
let rec: Recorded;
const BATCH = 200;

/** Index refresh, then every Contact, then every Lead, each object's batches all mapped before the next. */
async function bulkPass(run: string): Promise<void> {
  await putRun(sys, makeRun(run, 'running', 1));
  await actors.host.messenger.publish(IndexRefresh, WS, { run, page: 0, cursor: null }, { cls: 'bulk' });
  await waitFor(() => rec.indexed.some((i) => i.run === run), { what: `index refreshed for ${run}`, timeoutMs: 30_000 });
  for (const object of ['Contact', 'Lead'] as SfObject[]) {
    const records = sys.sandboxes.salesforce.records(object);
    const ids: string[] = [];
    for (let i = 0; i * BATCH < records.length; i++) {
      const batchId = `${object}:0:${i}`;
      ids.push(batchId);
      await actors.host.messenger.publish(
        MatchRecords,
        WS,
        { run, batchId, settingsRevision: 1, object, records: records.slice(i * BATCH, (i + 1) * BATCH) },
        { cls: 'bulk' },
      );
    }
    await waitFor(() => ids.every((id) => rec.batches.some((b) => b.run === run && b.batchId === id)), {
      what: `${object} batches mapped`,
      timeoutMs: 30_000,
    });
  }
  const parts = rec.batches.filter((b) => b.run === run).reduce((n, b) => n + b.parts.length, 0);
  await waitFor(() => rec.parts.filter((p) => p.run === run).length === parts, { what: 'parts written', timeoutMs: 30_000 });
}

describe('matching, mapping and writer together', () => {
  beforeAll(async () => {
    sys = await startSystem({ generator: { seed: 41, people: 500, differingShare: 0.9, oddShare: 0.1 } });
    rec = emptyRecord();
    actors = await startTestActors(sys, rec);
    await sys.startWorker(['matching', 'mapping', 'writer']);
  });

  afterAll(async () => {
    await actors?.stop();
    await sys?.stop();
  });

  it('leaves the sandboxes as the independent model expects, then a second run writes nothing', async () => {
    const ic0 = structuredClone(sys.sandboxes.intercom.contacts());
    const pairs = pairUp(sys.sandboxes.salesforce.records('Lead'), sys.sandboxes.salesforce.records('Contact'), ic0);
    const outcomes: PairOutcome[] = pairs.map((p) => expectedOutcome(p, DEFAULT_MAPPINGS));
    await bulkPass('m1');

    const mapped = rec.batches.filter((b) => b.run === 'm1');
    expect(mapped.reduce((n, b) => n + b.inCommon, 0)).toBe(pairs.length);
    for (const o of outcomes) {
      const sf = sys.sandboxes.salesforce.get(o.pair.sf.Id) as SfRecord;
      const ic = sys.sandboxes.intercom.getContact(o.pair.ic.id) as IcContact;
      expect(actualValues(o, sf, ic), `pair ${o.pair.sf.Id} / ${o.pair.ic.id}`).toEqual({ sf: o.sf, ic: o.ic });
    }
    const conversion = rec.errors.filter((e) => e.run === 'm1' && e.cause !== 'ambiguous_match');
    expect(conversion.map((e) => `${e.sfId}|${e.attributes[0]}|${e.cause}`).sort()).toEqual(
      outcomes
        .flatMap((o) => o.failures)
        .map((f) => `${f.sfId}|${f.field}|${f.cause}`)
        .sort(),
    );

    const writes = () => ({
      sf: sys.sandboxes.salesforce.stats().byKind.update,
      ic: sys.sandboxes.intercom.stats().calls['PUT /contacts/{id}'] ?? 0,
    });
    const before = writes();
    await bulkPass('m2');
    expect(rec.batches.filter((b) => b.run === 'm2').flatMap((b) => b.parts)).toEqual([]);
    expect(writes()).toEqual(before);
  });
});
