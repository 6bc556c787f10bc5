// Converted Leads in a whole bulk run: Salesforce refuses every update of one
// (CANNOT_UPDATE_CONVERTED_LEAD), so peoplesync skips them, counts them as skipped, writes nothing
// to or from them, and reports no sync error; the other Leads sync as usual.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FREE_PORT, runToEnd } from './bulk-expected.ts';
import { ErrorsList } from '../../protocol/index.ts';
import { waitFor } from '../helpers/host.ts';
import { type TestSystem, WS, startSystem } from '../helpers/system.ts';
import { messenger } from '../integration/errors-helpers.ts';

let sys: TestSystem;

beforeAll(async () => {
  // Leads only, each with one Intercom lead whose mapped values differ: every pair has writes.
  sys = await startSystem({
    generator: {
      seed: 3,
      people: 120,
      leadShare: 1,
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

describe('converted Leads in a bulk run', () => {
  // API-FACTS "Converted Leads": readable, IsConverted true, every update refused.
  it('skips converted Leads: counted as skipped, nothing written to or from them, no sync error', async () => {
    const sf = sys.sandboxes.salesforce;
    const ic = sys.sandboxes.intercom;
    const leads = sf.records('Lead');
    const converted = leads.slice(0, 12).map((l) => sf.convertLead(l.Id).lead.Id);
    const before = new Map(converted.map((id) => [id, sf.get(id)!]));
    const email = (e: unknown) => String(e).trim().toLowerCase();
    const theirContacts = ic.contacts().filter((c) => converted.some((id) => email(sf.get(id)!.Email) === email(c.email)));
    expect(theirContacts).toHaveLength(12);
    const icBefore = structuredClone(theirContacts);

    const end = await runToEnd(sys, false, 45_000);
    expect(end.status).toBe('completed');
    expect(end.counts).toMatchObject({ skipped: 12, failed: 0, inCommon: leads.length - 12 });
    expect(end.counts.updatedSalesforce + end.counts.updatedIntercom).toBeGreaterThan(0);
    for (const id of converted) expect(sf.get(id)).toEqual(before.get(id));
    for (const c of icBefore) expect(ic.getContact(c.id)).toEqual(c);
    const errors = (await messenger(sys.nc).request(ErrorsList, WS, { direction: 'all', limit: 500 })).errors;
    expect(errors.filter((e) => converted.includes(e.sfId ?? ''))).toEqual([]);
    expect(errors.map((e) => e.details.statusCode)).not.toContain('CANNOT_UPDATE_CONVERTED_LEAD');
  });
});
