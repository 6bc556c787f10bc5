// A field deleted in Salesforce after the settings were saved: Salesforce refuses every call
// naming it, whole (API-FACTS "Writes"). The writer sends the call again without that field,
// reports the field's mapping once as a sync error naming it, writes every other field and
// record, and leaves the field out of later calls without spending a call to learn it again.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SfRecord } from '../../connectors/types.ts';
import { type BodyOf, Headers, RecordSynced, eventFilter, WriteSalesforce, decodeMessage, subject } from '../../protocol/index.ts';
import { spec } from '../../sandbox/sf-schema.ts';
import type { TestHost } from '../helpers/host.ts';
import { waitFor } from '../helpers/host.ts';
import { startSystem, type TestSystem } from '../helpers/system.ts';
import { WS, emptyRecord, makeRun, putRun, startTestActors, type Recorded } from './mapping-helpers.ts';

let sys: TestSystem;
let actors: TestHost;
let rec: Recorded;
const synced: BodyOf<typeof RecordSynced>[] = [];

beforeAll(async () => {
  sys = await startSystem({ generator: { seed: 41, people: 40, leadShare: 1, icOnlyShare: 0, bothShare: 0 } });
  sys.sandboxes.salesforce.defineField('Lead', spec({ name: 'Region__c', type: 'string', length: 20 }));
  rec = emptyRecord();
  actors = await startTestActors(sys, rec);
  await sys.startWorker(['writer']);
  sys.nc.subscribe(subject('peoplesync', { kind: 'evt', ws: WS, topic: eventFilter(RecordSynced) }), {
    callback: (_err, m) => {
      synced.push(
        decodeMessage(m.headers?.get(Headers.type), m.data, m.headers?.get(Headers.contentType)).body as BodyOf<typeof RecordSynced>,
      );
    },
  });
});
afterAll(async () => {
  await actors?.stop();
  await sys?.stop();
});

type Fields = Record<string, unknown>;
const update = (r: SfRecord, fields: Fields) => ({
  object: 'Lead' as const,
  id: r.Id,
  fields,
  icId: `ic-${r.Id}`,
  changes: Object.entries(fields).map(([attribute, to]) => ({ attribute, from: null, to, direction: 'intercom_to_salesforce' as const })),
});
const updateCalls = () => sys.sandboxes.salesforce.stats().byKind.update;
const refusals = () => rec.errors.filter((e) => e.sfId === null && e.attributes.includes('Region__c'));

describe('writer: a whole call refused for one field', () => {
  it('sends the call again without the field, reports its mapping once, and writes every other field and record', async () => {
    const leads = sys.sandboxes.salesforce.records('Lead').slice(0, 6);
    sys.sandboxes.salesforce.deleteField('Lead', 'Region__c');
    await putRun(sys, makeRun('rf', 'running', 1));
    const before = updateCalls();
    await actors.host.messenger.publish(
      WriteSalesforce,
      WS,
      {
        run: 'rf',
        batchId: 'Lead:0:0',
        part: 0,
        settingsRevision: 1,
        updates: [
          update(leads[0], { Region__c: 'EMEA' }),
          update(leads[1], { Region__c: 'AMER', Title: 'Regional lead' }),
          update(leads[2], { Title: 'No region' }),
          update(leads[3], { Region__c: 'APAC', Title: 'Regional lead' }),
          update(leads[4], { Region__c: 'EMEA' }),
          update(leads[5], { Region__c: 'AMER', Title: 'Regional lead', City: 'x'.repeat(41) }),
        ],
      },
      { cls: 'bulk' },
    );
    const part = await waitFor(() => rec.parts.find((p) => p.run === 'rf'), { what: 'the part written' });
    // Refused once, sent again once: two calls.
    expect(updateCalls() - before).toBe(2);
    expect(part).toMatchObject({ updated: 3, failed: 3 });
    for (const i of [1, 2, 3]) expect(sys.sandboxes.salesforce.get(leads[i].Id)!.Title).toBe(i === 2 ? 'No region' : 'Regional lead');
    for (const l of leads) expect(sys.sandboxes.salesforce.get(l.Id)!.Region__c).toBeUndefined();

    expect(refusals()).toHaveLength(1);
    expect(refusals()[0]).toMatchObject({
      syncType: 'bulk',
      direction: 'intercom_to_salesforce',
      sfObject: 'Lead',
      icId: null,
      attributes: ['Region__c'],
      cause: 'other',
      run: 'rf',
      details: { statusCode: 'INVALID_FIELD', object: 'Lead', field: 'Region__c', records: 5 },
    });
    expect(refusals()[0].message).toContain('Lead.Region__c');
    expect(refusals()[0].message).toContain('the other fields still sync');
    // The record refused for its own value is its own sync error; the others have none.
    const own = rec.errors.filter((e) => e.sfId !== null && e.run === 'rf');
    expect(own.map((e) => [e.sfId, e.details.statusCode])).toEqual([[leads[5].Id, 'STRING_TOO_LONG']]);

    await waitFor(() => synced.filter((s) => s.run === 'rf').length >= 3, { what: 'audit events' });
    const audit = synced.filter((s) => s.run === 'rf');
    expect(audit.map((s) => s.sfId).sort()).toEqual([leads[1].Id, leads[2].Id, leads[3].Id].sort());
    for (const a of audit) expect(a.changes.map((c) => c.attribute)).toEqual(['Title']);
  });

  it('leaves the refused field out of later calls without another refusal or report', async () => {
    const leads = sys.sandboxes.salesforce.records('Lead').slice(10, 13);
    const before = updateCalls();
    await Promise.all(
      leads.map((l, i) =>
        actors.host.messenger.publish(
          WriteSalesforce,
          WS,
          { batchId: `evt:rf-${i}`, part: 0, settingsRevision: 1, updates: [update(l, { Region__c: 'EMEA', Title: `Later ${i}` })] },
          { cls: 'event' },
        ),
      ),
    );
    await waitFor(() => leads.every((l, i) => sys.sandboxes.salesforce.get(l.Id)!.Title === `Later ${i}`), { what: 'titles written' });
    // One call per shared window at most, none of them refused and sent again.
    expect(updateCalls() - before).toBeLessThanOrEqual(leads.length);
    await new Promise((r) => setTimeout(r, 300));
    expect(refusals()).toHaveLength(1);
    for (const l of leads) expect(sys.sandboxes.salesforce.get(l.Id)!.Region__c).toBeUndefined();
  });
});
