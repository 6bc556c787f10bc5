// What the writer makes of each record's outcome, against the real sandboxes: refused Salesforce
// records become sync errors with Salesforce's statusCode and message, Intercom refusals become
// sync errors by status, retries resolve earlier errors, event items share one call, and a
// failing call is redone on redelivery.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { IcContact, SfRecord } from '../../connectors/types.ts';
import {
  type BodyOf,
  Headers,
  MapPairs,
  RecordSynced,
  WriteIntercom,
  WriteSalesforce,
  decodeMessage,
  eventFilter,
  subject,
} from '../../protocol/index.ts';
import type { TestHost } from '../helpers/host.ts';
import { waitFor } from '../helpers/host.ts';
import { startSystem, type TestSystem } from '../helpers/system.ts';
import { pairUp, type ModelPair } from './mapping-expect.ts';
import { WS, emptyRecord, makeRun, putRun, startTestActors, type Recorded } from './mapping-helpers.ts';

let sys: TestSystem;
let actors: TestHost;
let rec: Recorded;
const synced: BodyOf<typeof RecordSynced>[] = [];

beforeAll(async () => {
  // Both sides agree on everything at the start: every write below is one the test asked for.
  sys = await startSystem({ generator: { seed: 31, people: 150, differingShare: 0, oddShare: 0, duplicateShare: 0 } });
  rec = emptyRecord();
  actors = await startTestActors(sys, rec);
  await sys.startWorker(['mapping', 'writer']);
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

function pairs(): ModelPair[] {
  const ic = structuredClone(sys.sandboxes.intercom.contacts());
  return pairUp(sys.sandboxes.salesforce.records('Lead'), sys.sandboxes.salesforce.records('Contact'), ic);
}
const sfRecord = (id: string) => sys.sandboxes.salesforce.get(id) as SfRecord;
const icContact = (id: string) => sys.sandboxes.intercom.getContact(id) as IcContact;
const updateCalls = () => sys.sandboxes.salesforce.stats().byKind.update;
const wire = (p: ModelPair) => ({ object: p.object, sf: p.sf, ic: p.ic as unknown as BodyOf<typeof MapPairs>['pairs'][number]['ic'] });
const otherPlan = (p: unknown) => (p === 'Enterprise' ? 'Starter' : 'Enterprise');

describe('writer', () => {
  it('a retry: refused records become sync errors with statusCode and message, written ones resolve their errors', async () => {
    const chosen = pairs()
      .filter((p) => p.object === 'Contact')
      .slice(0, 4);
    const [blocked, a, b, inSync] = chosen;
    for (const p of [blocked, a, b])
      sys.sandboxes.intercom.userChange(p.ic.id, { custom_attributes: { plan: otherPlan(p.ic.custom_attributes.plan) } });
    sys.sandboxes.salesforce.addRule({ name: 'approve-plans', id: blocked.sf.Id, field: 'Plan__c', message: 'Plan changes need approval' });
    const fresh = pairs().filter((p) => chosen.some((c) => c.sf.Id === p.sf.Id));
    await actors.host.messenger.publish(
      MapPairs,
      WS,
      {
        batchId: 'retry:1',
        settingsRevision: 1,
        pairs: fresh.map(wire),
        scanned: 4,
        unmatched: 0,
        ambiguous: 0,
      },
      { cls: 'retry', msgId: 'test:retry:1' },
    );

    const err = await waitFor(() => rec.errors.find((e) => e.sfId === blocked.sf.Id), { what: 'sync error of the blocked record' });
    expect(err).toMatchObject({
      syncType: 'retry',
      direction: 'intercom_to_salesforce',
      sfObject: 'Contact',
      icId: blocked.ic.id,
      cause: 'validation_rule',
      attributes: ['Plan__c'],
      run: null,
      details: { statusCode: 'FIELD_CUSTOM_VALIDATION_EXCEPTION', message: 'Plan changes need approval', fields: ['Plan__c'] },
    });
    expect(err.message).toContain('Plan changes need approval');
    expect(sfRecord(blocked.sf.Id).Plan__c).toBe(blocked.sf.Plan__c);
    for (const p of [a, b]) expect(sfRecord(p.sf.Id).Plan__c).toBe(otherPlan(p.ic.custom_attributes.plan));

    const key = (r: { sfId: string | null; direction: string | null }) => `${r.sfId}|${r.direction}`;
    await waitFor(() => rec.resolved.length >= 6, { what: 'resolutions' });
    expect(rec.resolved.map(key).sort()).toEqual(
      [
        `${blocked.sf.Id}|salesforce_to_intercom`,
        `${a.sf.Id}|salesforce_to_intercom`,
        `${b.sf.Id}|salesforce_to_intercom`,
        `${a.sf.Id}|intercom_to_salesforce`,
        `${b.sf.Id}|intercom_to_salesforce`,
        `${inSync.sf.Id}|null`,
      ].sort(),
    );
    await waitFor(() => synced.filter((s) => s.syncType === 'retry').length >= 2, { what: 'audit events' });
    const audit = synced.filter((s) => s.syncType === 'retry');
    expect(audit.map((s) => s.sfId).sort()).toEqual([a.sf.Id, b.sf.Id].sort());
    expect(audit.find((s) => s.sfId === a.sf.Id)).toMatchObject({
      direction: 'intercom_to_salesforce',
      settingsRevision: 1,
      sfObject: 'Contact',
      icId: a.ic.id,
      changes: [
        { attribute: 'Plan__c', from: a.sf.Plan__c, to: otherPlan(a.ic.custom_attributes.plan), direction: 'intercom_to_salesforce' },
      ],
    });
    expect(audit[0].run).toBeUndefined();
    sys.sandboxes.salesforce.clearRules();
  });

  it('event items arriving together share one sObject Collections call', async () => {
    const leads = pairs()
      .filter((p) => p.object === 'Lead')
      .slice(0, 4);
    const before = updateCalls();
    await Promise.all(
      leads.map((p, i) =>
        actors.host.messenger.publish(
          WriteSalesforce,
          WS,
          {
            batchId: `evt:share-${i}`,
            part: 0,
            settingsRevision: 1,
            updates: [
              {
                object: 'Lead',
                id: p.sf.Id,
                fields: { Score__c: 500 + i },
                icId: p.ic.id,
                changes: [{ attribute: 'Score__c', from: p.sf.Score__c, to: 500 + i, direction: 'intercom_to_salesforce' }],
              },
            ],
          },
          { cls: 'event' },
        ),
      ),
    );
    await waitFor(() => leads.every((p, i) => sfRecord(p.sf.Id).Score__c === 500 + i), { what: 'scores written' });
    // Four items, fewer calls: they waited for each other (one call unless the queue split them).
    expect(updateCalls() - before).toBeLessThanOrEqual(2);
    await waitFor(() => synced.filter((s) => s.syncType === 'event').length >= 4, { what: 'event audit' });
    expect(
      synced
        .filter((s) => s.syncType === 'event')
        .map((s) => s.sfId)
        .sort(),
    ).toEqual(leads.map((p) => p.sf.Id).sort());
  });

  it('bulk parts tally refusals of both systems: Salesforce by statusCode, Intercom by status', async () => {
    await putRun(sys, makeRun('rw', 'running', 1));
    const [x, y] = pairs()
      .filter((p) => p.object === 'Lead')
      .slice(4, 6);
    await actors.host.messenger.publish(
      WriteSalesforce,
      WS,
      {
        run: 'rw',
        batchId: 'Lead:0:0',
        part: 0,
        settingsRevision: 1,
        updates: [
          {
            object: 'Lead',
            id: x.sf.Id,
            fields: { Plan__c: 'Premium' },
            icId: x.ic.id,
            changes: [{ attribute: 'Plan__c', from: null, to: 'Premium', direction: 'intercom_to_salesforce' }],
          },
          {
            object: 'Lead',
            id: y.sf.Id,
            fields: { Score__c: 42.5 },
            icId: y.ic.id,
            changes: [{ attribute: 'Score__c', from: null, to: 42.5, direction: 'intercom_to_salesforce' }],
          },
        ],
      },
      { cls: 'bulk' },
    );
    const change = (attribute: string, to: unknown) => [{ attribute, from: null, to, direction: 'salesforce_to_intercom' as const }];
    await actors.host.messenger.publish(
      WriteIntercom,
      WS,
      {
        run: 'rw',
        batchId: 'Lead:0:0',
        part: 0,
        settingsRevision: 1,
        updates: [
          {
            id: x.ic.id,
            patch: { custom_attributes: { job_title: 'Chief Tester' } },
            sfObject: 'Lead',
            sfId: x.sf.Id,
            changes: change('custom_attributes.job_title', 'Chief Tester'),
          },
          {
            id: '000000000000000000000bad',
            patch: { custom_attributes: { city: 'Nowhere' } },
            sfObject: 'Lead',
            sfId: y.sf.Id,
            changes: change('custom_attributes.city', 'Nowhere'),
          },
          {
            id: y.ic.id,
            patch: { custom_attributes: { employees: 'many' } },
            sfObject: 'Lead',
            sfId: y.sf.Id,
            changes: change('custom_attributes.employees', 'many'),
          },
        ],
      },
      { cls: 'bulk' },
    );

    await waitFor(() => rec.parts.filter((p) => p.run === 'rw').length === 2, { what: 'both parts written' });
    const part = (system: string) => rec.parts.find((p) => p.run === 'rw' && p.system === system);
    expect(part('salesforce')).toMatchObject({ batchId: 'Lead:0:0', part: 0, updated: 1, failed: 1 });
    expect(part('intercom')).toMatchObject({ batchId: 'Lead:0:0', part: 0, updated: 1, failed: 2 });
    expect(sfRecord(y.sf.Id).Score__c).toBe(42.5);
    expect(sfRecord(x.sf.Id).Plan__c).toBe(x.sf.Plan__c);
    expect(icContact(x.ic.id).custom_attributes.job_title).toBe('Chief Tester');
    expect(icContact(y.ic.id).custom_attributes.employees).toBe(y.ic.custom_attributes.employees);

    const errors = rec.errors.filter((e) => e.run === 'rw');
    expect(errors.find((e) => e.direction === 'intercom_to_salesforce')).toMatchObject({
      sfId: x.sf.Id,
      cause: 'invalid_picklist_value',
      syncType: 'bulk',
      attributes: ['Plan__c'],
      details: { statusCode: 'INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST', fields: ['Plan__c'], values: { Plan__c: 'Premium' } },
    });
    const ic = errors.filter((e) => e.direction === 'salesforce_to_intercom');
    expect(ic.find((e) => e.icId === '000000000000000000000bad')).toMatchObject({ cause: 'not_found', details: { status: 404 } });
    expect(ic.find((e) => e.icId === y.ic.id)).toMatchObject({ cause: 'invalid_value', attributes: ['custom_attributes.employees'] });
    const audit = await waitFor(() => synced.find((s) => s.run === 'rw' && s.direction === 'salesforce_to_intercom'), { what: 'audit' });
    expect(audit).toMatchObject({ syncType: 'bulk', icId: x.ic.id, sfId: x.sf.Id });
  });

  it('a call that keeps failing is redone on redelivery, with nothing reported twice', async () => {
    const [p] = pairs()
      .filter((q) => q.object === 'Contact')
      .slice(6, 7);
    const errorsBefore = rec.errors.length;
    const injected = sys.sandboxes.salesforce.stats().injectedErrors;
    // More 503s than the connector retries in one go: only a second delivery gets through.
    sys.sandboxes.salesforce.setFaults({ errorNext: 5 });
    await actors.host.messenger.publish(
      WriteSalesforce,
      WS,
      {
        batchId: 'retry:transient',
        part: 0,
        settingsRevision: 1,
        updates: [
          {
            object: 'Contact',
            id: p.sf.Id,
            fields: { Score__c: 77.7 },
            icId: p.ic.id,
            changes: [{ attribute: 'Score__c', from: p.sf.Score__c, to: 77.7, direction: 'intercom_to_salesforce' }],
          },
        ],
      },
      { cls: 'retry' },
    );
    await waitFor(() => sfRecord(p.sf.Id).Score__c === 77.7, { what: 'the update after redelivery', timeoutMs: 20_000 });
    expect(sys.sandboxes.salesforce.stats().injectedErrors - injected).toBe(5);
    await waitFor(() => synced.some((s) => s.sfId === p.sf.Id), { what: 'audit after redelivery' });
    expect(synced.filter((s) => s.sfId === p.sf.Id)).toHaveLength(1);
    expect(rec.errors.length).toBe(errorsBefore);
    expect((await actors.host.deadLetters.list(WS, { limit: 10 })).letters).toEqual([]);
  });
});
