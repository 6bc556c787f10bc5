// A write item is redone only for the records no call has taken yet: after a call it shared with
// other items failed, after its worker was killed between two of its calls, and after one contact
// of an Intercom item failed. Counted at the sandboxes: no record is written twice, and the redo
// costs one call for what is left instead of every call of the item again.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ACTORS } from '../../actors/index.ts';
import { createWriterActor } from '../../actors/writer/index.ts';
import { type BodyOf, WriteIntercom, WriteSalesforce } from '../../protocol/index.ts';
import type { Worker } from '../../cli/worker.ts';
import { waitFor } from '../helpers/host.ts';
import { type TestSystem, WS, startSystem } from '../helpers/system.ts';

// Calls of four records, and an event item's last, partial call waits 1.5 s for company: an item
// of ten records rides three calls, two at once and one later.
ACTORS['writer-small'] = createWriterActor({ maxRecords: 4, eventDelayMs: 1_500, intercomConcurrency: 1 });

let sys: TestSystem;
beforeAll(async () => {
  sys = await startSystem({
    generator: { seed: 31, people: 150, differingShare: 0, oddShare: 0, duplicateShare: 0 },
    config: { queue: { ackWaitMs: 2_000, maxDeliver: 8 } },
  });
  await sys.startWorker(['quota']);
});
afterAll(async () => {
  await sys?.stop();
});

const sf = () => sys.sandboxes.salesforce;
const updateCalls = () => sf().stats().byKind.update;
const stamp = (id: string) => String(sf().get(id)?.SystemModstamp);
let used = 0;
/** Ten Leads not used by another test. */
const leads = () => {
  const out = sf().records('Lead', used, 10);
  used += 10;
  return out;
};

function sfItem(batchId: string, ids: string[], score: number): BodyOf<typeof WriteSalesforce> {
  return {
    batchId,
    part: 0,
    settingsRevision: 1,
    errorIds: [],
    updates: ids.map((id, i) => ({
      object: 'Lead' as const,
      id,
      fields: { Score__c: score + i },
      icId: `65f0c0ffee${String(i).padStart(14, '0')}`,
      changes: [{ attribute: 'Score__c', from: null, to: score + i, direction: 'intercom_to_salesforce' as const }],
    })),
  };
}

describe('a redelivered write item', () => {
  it('after a shared call failed, sends only the records of that call', async () => {
    const w = await sys.startWorker(['writer-small']);
    try {
      const ids = leads().map((r) => r.Id);
      const before = updateCalls();
      await w.host.messenger.publish(WriteSalesforce, WS, sfItem('evt:redo-shared', ids, 900), { cls: 'event' });
      await waitFor(() => updateCalls() >= before + 2, { what: 'the first two calls' });
      const firstStamps = ids.slice(0, 8).map(stamp);
      sf().setFaults({ errorNext: 4 }); // the third call fails, all its attempts
      await waitFor(() => ids.every((id, i) => sf().get(id)?.Score__c === 900 + i), { what: 'every score', timeoutMs: 20_000 });
      expect(ids.slice(0, 8).map(stamp)).toEqual(firstStamps); // written once
      // 2 calls, 4 failed attempts, 1 call for the 2 records left (redoing the item: 3 calls).
      expect(updateCalls() - before).toBe(7);
    } finally {
      await w.stop(500);
    }
  });

  it('after its worker was killed between two of its calls, sends only what the dead worker had not', async () => {
    const a = await sys.startWorker(['writer-small']);
    let b: Worker | null = null;
    try {
      const ids = leads().map((r) => r.Id);
      const before = updateCalls();
      await a.host.messenger.publish(WriteSalesforce, WS, sfItem('evt:redo-killed', ids, 700), { cls: 'event' });
      await waitFor(() => updateCalls() >= before + 2, { what: 'the first two calls' });
      const firstStamps = ids.slice(0, 8).map(stamp);
      await a.nc.close(); // killed while the third call waits
      b = await sys.startWorker(['writer-small']);
      await waitFor(() => ids.every((id, i) => sf().get(id)?.Score__c === 700 + i), { what: 'every score', timeoutMs: 20_000 });
      expect(ids.slice(0, 8).map(stamp)).toEqual(firstStamps);
      expect(updateCalls() - before).toBe(3); // redoing the item: 5
    } finally {
      await b?.stop(500);
    }
  });

  it('after one Intercom contact failed, updates only that contact again', async () => {
    const w = await sys.startWorker(['writer-small']);
    try {
      const contacts = sys.sandboxes.intercom.contacts().slice(20, 30);
      const flaky = contacts[5].id;
      const ic = sys.sandboxes.intercom;
      const puts = () => ic.stats().calls['PUT /contacts/{id}'] ?? 0;
      const [putsBefore, faultsBefore] = [puts(), ic.stats().faultsInjected];
      // More 503s than the connector retries in one go: the item fails once and comes back.
      ic.setFaults({ failNext: 5, errorStatus: 503, pathPrefix: `/contacts/${flaky}` });
      const body: BodyOf<typeof WriteIntercom> = {
        batchId: 'evt:redo-ic',
        part: 0,
        settingsRevision: 1,
        errorIds: [],
        updates: contacts.map((c, i) => ({
          id: c.id,
          patch: { custom_attributes: { job_title: `Redo ${i}` } },
          sfObject: 'Lead' as const,
          sfId: `00Q${String(i).padStart(15, '0')}`,
          changes: [
            { attribute: 'custom_attributes.job_title', from: null, to: `Redo ${i}`, direction: 'salesforce_to_intercom' as const },
          ],
        })),
      };
      await w.host.messenger.publish(WriteIntercom, WS, body, { cls: 'event' });
      await waitFor(() => contacts.every((c, i) => ic.getContact(c.id)?.custom_attributes.job_title === `Redo ${i}`), {
        what: 'every contact',
        timeoutMs: 20_000,
      });
      const injected = ic.stats().faultsInjected - faultsBefore;
      expect(injected).toBe(5);
      // Each contact taken once: ten answered updates, besides the refused attempts.
      expect(puts() - putsBefore - injected).toBe(10);
    } finally {
      sys.sandboxes.intercom.setFaults(undefined);
      await w.stop(500);
    }
  });
});
