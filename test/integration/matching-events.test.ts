// The matching actor outside bulk runs, against a real nats-server, the sandboxes and the quota
// actor: Intercom changes (webhook or poll) find their Salesforce record by link or email,
// resyncs read both systems again, and links whose ends disappeared give way.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type IndexEntry, linkKeys, indexKeys } from '../../actors/matching/index.ts';
import { sfFieldsFor, matchKeyOf } from '../../actors/domain/index.ts';
import { defaultSettings } from '../../actors/mapping/index.ts';
import { readSettings, writeSettings } from '../../actors/domain/index.ts';
import type { IcContact, SfRecord } from '../../connectors/index.ts';
import { MatchContacts, MatchRecords, MatchResync } from '../../protocol/index.ts';
import { type GeneratedPerson, type GeneratorOptions, generatePeople } from '../../sandbox/index.ts';
import { waitFor } from '../helpers/host.ts';
import { type MatchingSystem, WS, drained, refreshIndex, startMatchingSystem } from './matching-helpers.ts';

const GEN: GeneratorOptions = { seed: 21, people: 240, oddShare: 0.3, bothShare: 0.08, duplicateShare: 0.04 };
const people = [...generatePeople(GEN)];
const used = new Set<number>();

/** A person of the generated set not used by another test yet. */
function person(pred: (p: GeneratedPerson) => boolean): GeneratedPerson {
  const p = people.find((x) => !used.has(x.index) && x.meta.kind === 'in-common' && pred(x));
  if (!p) throw new Error('the generated data set has no such person: change GEN');
  used.add(p.index);
  return p;
}

let m: MatchingSystem;

beforeAll(async () => {
  m = await startMatchingSystem({ generator: GEN });
  await refreshIndex(m);
});
afterAll(async () => {
  await m?.stop();
});

let scores = 0;

/** A change made in Intercom to an attribute that syncs into Salesforce (score), as its webhook
 * would deliver it. */
function change(icId: string): IcContact {
  m.sys.sandboxes.intercom.userChange(icId, { custom_attributes: { score: 1_000 + ++scores } });
  return m.sys.sandboxes.intercom.getContact(icId) as IcContact;
}

async function mapsWhere(pred: (sfIds: string[], icIds: string[]) => boolean) {
  return waitFor(
    () =>
      m.sink.maps.find((x) =>
        pred(
          x.body.pairs.map((p) => p.sf.Id),
          x.body.pairs.map((p) => p.ic.id),
        ),
      ),
    { what: 'MapPairs' },
  );
}

async function link(sfId: string): Promise<unknown> {
  return (await (await m.sys.kv('links')).getRaw(linkKeys.sf(WS, sfId)))?.value ?? null;
}

describe('matching Intercom changes and resyncs', () => {
  it('finds the Salesforce Contact of a changed user by email whatever its case, reading every mapped field', async () => {
    const p = person((x) => x.meta.odd === 'email-case' && !!x.contact && !x.lead && x.intercom?.length === 1);
    const sf = p.contact as SfRecord;
    const ic = (p.intercom as IcContact[])[0];
    expect(sf.Email).not.toBe(ic.email);
    const changed = change(ic.id);
    await m.sink.publish(MatchContacts, { contacts: [changed], source: 'webhook' }, 'event');
    const got = await mapsWhere((sfIds) => sfIds.includes(sf.Id));
    expect(got.cls).toBe('event');
    expect(got.body).toMatchObject({ scanned: 1, unmatched: 0, ambiguous: 0, dryRun: false });
    expect(got.body.batchId).toMatch(/^evt:/);
    expect(got.body.run).toBeUndefined();
    const pair = got.body.pairs[0];
    expect(pair.object).toBe('Contact');
    expect(pair.ic).toMatchObject({ id: ic.id, custom_attributes: { score: changed.custom_attributes.score } });
    for (const f of sfFieldsFor('Contact', defaultSettings(), matchKeyOf('email'))) expect(Object.hasOwn(pair.sf, f), f).toBe(true);
    expect(pair.sf.Title).toBe(sf.Title);
    expect(await link(sf.Id)).toEqual({ icId: ic.id, object: 'Contact' });
    const entry = (await (await m.sys.kv('index')).getRaw(indexKeys.contact(WS, ic.id)))?.value as IndexEntry;
    expect(entry.updatedAt).toBe(changed.updated_at);
    // The same change again (a poll overlapping the webhook) is not matched twice.
    const before = m.sink.maps.length;
    await m.sink.publish(MatchContacts, { contacts: [changed], source: 'poll' }, 'event');
    await drained(m, 'match_event');
    expect(m.sink.maps.length).toBe(before);
  });

  it("reads nothing from Salesforce for a change only to attributes Salesforce owns (the writer's own update coming back)", async () => {
    const p = person((x) => !!x.contact && !x.lead && x.intercom?.length === 1);
    const ic = (p.intercom as IcContact[])[0];
    // Index the contact as it is now, then change only job_title, which syncs from Salesforce.
    await m.sink.publish(MatchContacts, { contacts: [change(ic.id)], source: 'webhook' }, 'event');
    await mapsWhere((_, icIds) => icIds.includes(ic.id));
    const sf = m.sys.sandboxes.salesforce;
    sf.resetStats();
    const maps = m.sink.maps.length;
    m.sys.sandboxes.intercom.userChange(ic.id, { custom_attributes: { job_title: 'Written by the writer' } });
    const echo = m.sys.sandboxes.intercom.getContact(ic.id) as IcContact;
    await m.sink.publish(MatchContacts, { contacts: [echo], source: 'webhook' }, 'event');
    await drained(m, 'match_event');
    expect(sf.stats().byKind.query ?? 0).toBe(0);
    expect(m.sink.maps.length).toBe(maps);
    const entry = (await (await m.sys.kv('index')).getRaw(indexKeys.contact(WS, ic.id)))?.value as IndexEntry;
    expect(entry.contact.custom_attributes.job_title).toBe('Written by the writer');
  });

  it('pairs a lead with its Lead, and a user who is both with the Contact, never the Lead', async () => {
    const leadOnly = person((x) => !!x.lead && !x.contact && x.intercom?.length === 1);
    const both = person((x) => x.meta.both && x.intercom?.length === 1);
    const a = change((leadOnly.intercom as IcContact[])[0].id);
    const b = change((both.intercom as IcContact[])[0].id);
    await m.sink.publish(MatchContacts, { contacts: [a, b], source: 'poll' }, 'event');
    const got = await mapsWhere((_, icIds) => icIds.includes(a.id) && icIds.includes(b.id));
    const pairs = new Map(got.body.pairs.map((p) => [p.ic.id, p]));
    expect(pairs.get(a.id)).toMatchObject({ object: 'Lead', sf: { Id: (leadOnly.lead as SfRecord).Id } });
    expect(pairs.get(b.id)).toMatchObject({ object: 'Contact', sf: { Id: (both.contact as SfRecord).Id } });
    expect(got.body.pairs).toHaveLength(2);
    expect(await link((both.lead as SfRecord).Id)).toBeNull();
  });

  it('reports a record two contacts share as ambiguous, naming both, and writes nothing', async () => {
    const twins = person((x) => x.meta.duplicate && !!x.contact && !x.lead);
    const [one, two] = twins.intercom as IcContact[];
    const changed = change(one.id);
    await m.sink.publish(MatchContacts, { contacts: [changed], source: 'webhook' }, 'event');
    const sfId = (twins.contact as SfRecord).Id;
    const err = await waitFor(() => m.sink.errors.find((e) => e.body.sfId === sfId), { what: 'ambiguous_match error' });
    expect(err.cls).toBe('event');
    expect(err.body).toMatchObject({
      cause: 'ambiguous_match',
      syncType: 'event',
      sfObject: 'Contact',
      run: null,
      icId: null,
      direction: 'intercom_to_salesforce',
    });
    expect(err.body.details).toMatchObject({ side: 'intercom', candidates: { salesforce: [sfId], intercom: [one.id, two.id].sort() } });
    await drained(m, 'match_event');
    expect(m.sink.maps.some((x) => x.body.pairs.some((p) => p.sf.Id === sfId))).toBe(false);
    expect(await link(sfId)).toBeNull();
  });

  it('resyncs one person by email on demand, carrying the sync errors it may clear', async () => {
    const p = person((x) => !!x.contact && !x.lead && x.intercom?.length === 1);
    const sf = p.contact as SfRecord;
    await m.sink.publish(
      MatchResync,
      { email: ` ${String(sf.Email).toUpperCase()} `, errorIds: ['err-1'], requestedBy: 'ann' },
      'interactive',
    );
    const got = await mapsWhere((sfIds) => sfIds.includes(sf.Id));
    expect(got.cls).toBe('interactive');
    expect(got.body).toMatchObject({ errorIds: ['err-1'], scanned: 1 });
    expect(got.body.pairs[0].ic.id).toBe((p.intercom as IcContact[])[0].id);
    expect(await link(sf.Id)).toEqual({ icId: (p.intercom as IcContact[])[0].id, object: 'Contact' });
  });

  it('gives up a link whose Salesforce record was deleted, once a duplicate it collided with is checked', async () => {
    const p = person((x) => !!x.contact && !x.lead && x.intercom?.length === 1);
    const x = p.contact as SfRecord;
    const ic = (p.intercom as IcContact[])[0];
    // As a change poll sends them: with the revision of the settings the records were read with.
    const settingsRevision = (await readSettings(await m.sys.kv('settings'), WS))!.revision;
    await m.sink.publish(MatchRecords, { batchId: 'evt:x', settingsRevision, object: 'Contact', records: [x] }, 'event');
    await waitFor(async () => (await link(x.Id)) !== null, { what: 'link of x' });
    const y = m.sys.sandboxes.salesforce.create('Contact', { FirstName: 'Second', LastName: 'Record', Email: x.Email });
    await m.sink.publish(MatchRecords, { batchId: 'evt:y1', settingsRevision, object: 'Contact', records: [y] }, 'event');
    const err = await waitFor(() => m.sink.errors.find((e) => e.body.sfId === y.Id), { what: 'ambiguous y' });
    expect(err.body.details).toMatchObject({ side: 'salesforce', candidates: { salesforce: [x.Id, y.Id].sort(), intercom: [ic.id] } });
    m.sys.sandboxes.salesforce.delete(x.Id);
    await m.sink.publish(MatchRecords, { batchId: 'evt:y2', settingsRevision, object: 'Contact', records: [y] }, 'event');
    const got = await mapsWhere((sfIds) => sfIds.includes(y.Id));
    expect(got.body.pairs[0].ic.id).toBe(ic.id);
    expect(await link(x.Id)).toBeNull();
    expect(await link(y.Id)).toEqual({ icId: ic.id, object: 'Contact' });
  });

  it('finds the successor of a deleted linked record when the contact changes', async () => {
    const p = person((x) => !!x.contact && !x.lead && x.intercom?.length === 1);
    const z = p.contact as SfRecord;
    const ic = (p.intercom as IcContact[])[0];
    await m.sink.publish(MatchContacts, { contacts: [change(ic.id)], source: 'webhook' }, 'event');
    await waitFor(async () => (await link(z.Id)) !== null, { what: 'link of z' });
    const w = m.sys.sandboxes.salesforce.create('Contact', { FirstName: 'New', LastName: 'Record', Email: z.Email });
    m.sys.sandboxes.salesforce.delete(z.Id);
    await m.sink.publish(MatchContacts, { contacts: [change(ic.id)], source: 'webhook' }, 'event');
    const got = await mapsWhere((sfIds) => sfIds.includes(w.Id));
    expect(got.body.pairs.map((q) => q.ic.id)).toEqual([ic.id]);
    expect(await link(z.Id)).toBeNull();
  });

  it('drops the entry and links of a contact a resync finds deleted in Intercom', async () => {
    const p = person((x) => !!x.contact && !x.lead && x.intercom?.length === 1);
    const sf = p.contact as SfRecord;
    const ic = (p.intercom as IcContact[])[0];
    await m.sink.publish(MatchResync, { icId: ic.id, errorIds: [] }, 'retry');
    await waitFor(async () => (await link(sf.Id)) !== null, { what: 'link' });
    const sb = m.sys.sandboxes.intercom;
    sb.loadNdjson(
      sb
        .dumpNdjson()
        .split('\n')
        .filter((l) => l && (JSON.parse(l) as IcContact).id !== ic.id)
        .join('\n'),
    );
    await m.sink.publish(MatchResync, { icId: ic.id, errorIds: [] }, 'retry');
    const index = await m.sys.kv('index');
    await waitFor(async () => (await index.getRaw(indexKeys.contact(WS, ic.id))) === null, { what: 'entry removed' });
    expect(await link(sf.Id)).toBeNull();
    expect(await (await m.sys.kv('links')).getRaw(linkKeys.ic(WS, ic.id))).toBeNull();
  });

  it('matches on an attribute pair when the settings say so: Intercom external_id holding the Salesforce Id', async () => {
    await writeSettings(
      await m.sys.kv('settings'),
      WS,
      defaultSettings({ matching: { key: { icAttribute: 'external_id', sfField: 'Id' }, duplicatePolicy: 'error' } }),
    );
    const a = person((x) => !!x.contact && !x.lead && x.intercom?.length === 1);
    const b = person((x) => !!x.contact && !x.lead && x.intercom?.length === 1);
    const ic = (a.intercom as IcContact[])[0];
    const target = b.contact as SfRecord;
    // Emails now disagree: only the attribute pair can bring these two together.
    m.sys.sandboxes.intercom.userChange(ic.id, { external_id: target.Id });
    const changed = m.sys.sandboxes.intercom.getContact(ic.id) as IcContact;
    await m.sink.publish(MatchContacts, { contacts: [changed], source: 'webhook' }, 'event');
    const got = await mapsWhere((sfIds) => sfIds.includes(target.Id));
    expect(got.body.pairs.map((p) => [p.sf.Id, p.ic.id])).toEqual([[target.Id, ic.id]]);
    const entry = (await (await m.sys.kv('index')).getRaw(indexKeys.contact(WS, ic.id)))?.value as IndexEntry;
    expect(entry).toMatchObject({ keyAttr: 'external_id', matchKey: target.Id });
  });
});
