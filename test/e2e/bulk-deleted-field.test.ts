// A mapped field deleted in Salesforce after the settings were saved, in a whole bulk run:
// Salesforce refuses every query selecting it and every update writing it (API-FACTS "Writes",
// "Describe"). The reads go on without it, the mapping is reported once as a sync error naming the
// field, and every other attribute of every pair syncs.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ErrorsList } from '../../protocol/index.ts';
import { waitFor } from '../helpers/host.ts';
import { type TestSystem, WS, startSystem } from '../helpers/system.ts';
import { messenger } from '../integration/errors-helpers.ts';
import { FREE_PORT, runToEnd } from './bulk-expected.ts';

let sys: TestSystem;

beforeAll(async () => {
  // Contacts only, each with one Intercom user, every pair differing in one to three attributes.
  sys = await startSystem({
    generator: {
      seed: 29,
      people: 300,
      leadShare: 0,
      inCommonShare: 1,
      differingShare: 1,
      icOnlyShare: 0,
      bothShare: 0,
      duplicateShare: 0,
      oddShare: 0,
    },
    settings: { pollIntervalSeconds: 86_400 },
    config: FREE_PORT,
  });
  const w = await sys.startWorker();
  await waitFor(() => w.host.isLeading('coordinator', WS), { what: 'coordinator leading', timeoutMs: 10_000 });
});
afterAll(async () => {
  await sys?.stop();
});

describe('a mapped field deleted after the settings were saved', () => {
  it('reads and writes go on without it, its mapping is reported once, every other attribute syncs', async () => {
    const sf = sys.sandboxes.salesforce;
    const ic = sys.sandboxes.intercom;
    // The settings map Contact.Score__c from custom_attributes.score; an admin deletes the field.
    sf.deleteField('Contact', 'Score__c');
    const end = await runToEnd(sys, false, 60_000);
    expect(end.status).toBe('completed');
    expect(end.counts.scanned).toBe(300);
    expect(end.counts.updatedSalesforce + end.counts.updatedIntercom).toBeGreaterThan(50);

    const errors = (await messenger(sys.nc).request(ErrorsList, WS, { direction: 'all', limit: 500 })).errors;
    const aboutScore = errors.filter((e) => e.attributes.includes('Score__c'));
    expect(aboutScore).toHaveLength(1);
    expect(aboutScore[0]).toMatchObject({ sfId: null, icId: null, sfObject: 'Contact', direction: 'intercom_to_salesforce' });
    expect(aboutScore[0].message).toContain('Contact.Score__c');
    expect(errors.filter((e) => e.sfId !== null)).toEqual([]);

    // Every other mapped attribute is in sync on both sides.
    const email = (e: unknown) => String(e).trim().toLowerCase();
    const byEmail = new Map(ic.contacts().map((c) => [email(c.email), c]));
    const text = (v: unknown) => (v === null || v === undefined || v === '' ? null : String(v));
    for (const c of sf.records('Contact')) {
      const twin = byEmail.get(email(c.Email))!;
      expect([text(c.Title), text(c.MailingCity), text(c.Department), text(c.Plan__c), text(c.Phone)]).toEqual([
        text(twin.custom_attributes.job_title),
        text(twin.custom_attributes.city),
        text(twin.custom_attributes.department),
        text(twin.custom_attributes.plan),
        text(twin.phone),
      ]);
    }
  });
});
