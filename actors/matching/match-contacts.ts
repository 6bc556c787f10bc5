// MatchContacts: Intercom contacts changed (webhook or poll). Their index entries are brought up
// to date (a contact no newer than its entry was seen already: the poll overlaps a day), their
// Salesforce side is found by link or key, and the records are joined like any others, Contacts
// first so that a Contact wins a user over a Lead.
import type { SfRecord } from '../../connectors/index.ts';
import type { BodyOf, MatchContacts } from '../../protocol/index.ts';
import type { HandlerContext } from '../../runtime/index.ts';
import type { Uses } from '../services.ts';
import { type IndexEntry, entryKey, mattersToSalesforce } from './entry.ts';
import type { ItemSettings, WorkspaceFacts } from '../domain/index.ts';
import { type Outcome, tallyForContacts } from './join.ts';
import { verifier } from './match-records.ts';
import { contentBatchId, publishBatch } from './publish.ts';
import { type Stores, matchBatch, storesFor } from './resolve.ts';
import { type PerObject, type SfWanted, emptyWanted, readSalesforce } from './sf-reader.ts';

type Ctx = HandlerContext<Uses<'now' | 'salesforce'>>;

/** Linked records by Id, and records by key on the objects the contact's role may pair with:
 * a linked record that is gone then leaves a successor to find, and a second record holding the
 * key shows up as the duplicate it is. */
export async function wantedFor(stores: Stores, entries: readonly IndexEntry[], item: ItemSettings): Promise<SfWanted> {
  const w = emptyWanted();
  const links = await stores.links.icLinks(entries.map((e) => e.id));
  for (const e of entries) {
    const l = links.get(e.id)?.links ?? {};
    const value = entryKey(e, item.key);
    if (l.Contact) w.ids.Contact.push(l.Contact);
    if (l.Lead) w.ids.Lead.push(l.Lead);
    if (value === null) continue;
    if (e.role === 'user') w.values.Contact.push(value);
    if (e.role === 'lead' || !l.Contact) w.values.Lead.push(value);
  }
  return w;
}

/** Linked records asked for by Id that Salesforce no longer has: their links go. */
export async function dropVanished(stores: Stores, w: SfWanted, read: PerObject<SfRecord[]>): Promise<void> {
  const found = new Set([...read.Contact, ...read.Lead].map((r) => r.Id));
  const vanished = [...w.ids.Contact, ...w.ids.Lead].filter((id) => !found.has(id));
  await Promise.all([...new Set(vanished)].map((id) => stores.links.dropRecord(id)));
}

/** Joins what was read, Contacts before Leads. */
export async function joinBoth(ctx: Ctx, stores: Stores, records: PerObject<SfRecord[]>, item: ItemSettings): Promise<Outcome[]> {
  const known = new Set([...records.Contact, ...records.Lead].map((r) => r.Id));
  const opts = { known, verify: verifier(ctx) };
  const contacts = await matchBatch(stores, 'Contact', records.Contact, item.key, opts);
  const leads = await matchBatch(stores, 'Lead', records.Lead, item.key, opts);
  return [...contacts, ...leads];
}

export async function handleMatchContacts(body: BodyOf<typeof MatchContacts>, ctx: Ctx, facts: WorkspaceFacts): Promise<void> {
  const item = await facts.forItem();
  const stores = await storesFor(ctx);
  // A redelivery finds its own earlier write, and cannot tell what changed: it takes them all.
  const retry = ctx.deliveryCount > 1;
  const up = await stores.index.upsert(body.contacts, item.key, ctx.deps.now(), retry ? 'force' : 'changed');
  const fresh = up.written
    .map((id) => up.entries.get(id) as IndexEntry)
    .filter((e) => retry || mattersToSalesforce(up.previous.get(e.id) ?? null, e, item.settings.mappings));
  if (fresh.length === 0) return;
  const wanted = await wantedFor(stores, fresh, item);
  const records = await readSalesforce(ctx, item, wanted);
  await dropVanished(stores, wanted, records);
  const outcomes = await joinBoth(ctx, stores, records, item);
  const t = tallyForContacts(
    fresh.map((e) => e.id),
    outcomes,
    item.settings.matching.duplicatePolicy,
  );
  const batchId = contentBatchId('evt', {
    ic: fresh.map((e) => [e.id, e.updatedAt]),
    sf: t.matched.map((m) => [m.sf.Id, m.sf.SystemModstamp]),
  });
  await publishBatch(ctx, { batchId, item, tally: t, scanned: fresh.length, always: false });
}
