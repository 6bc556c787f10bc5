// MatchResync: one person, read again from both systems now (a retried sync error, or a resync
// asked for by email, Salesforce Id or Intercom id). What is read refreshes the index and the
// links; what is gone is dropped from both; the records found are joined and mapped.
import { PermanentError } from '../../protocol/index.ts';
import { ConnectorError, type IcContact, type SfObject, type SfRecord } from '../../connectors/index.ts';
import type { BodyOf, MatchResync } from '../../protocol/index.ts';
import type { HandlerContext } from '../../runtime/index.ts';
import type { Uses } from '../services.ts';
import type { ItemSettings, WorkspaceFacts } from '../domain/index.ts';
import { tally } from './join.ts';
import { joinBoth } from './match-contacts.ts';
import { normaliseEmail } from './normalise.ts';
import { contentBatchId, publishBatch } from './publish.ts';
import { type Stores, storesFor } from './resolve.ts';
import { type PerObject, emptyWanted, readSalesforce } from './sf-reader.ts';

type Ctx = HandlerContext<Uses<'salesforce' | 'intercom' | 'now'>>;

type Body = BodyOf<typeof MatchResync>;

/** Lead Ids begin 00Q, Contact Ids 003. */
export function objectOfId(sfId: string): SfObject | null {
  if (sfId.startsWith('00Q')) return 'Lead';
  if (sfId.startsWith('003')) return 'Contact';
  return null;
}

/** Everything read so far about the person, and what was asked for but is gone. */
interface Person {
  ic: Map<string, IcContact>;
  sf: PerObject<Map<string, SfRecord>>;
  goneIc: Set<string>;
  goneSf: Set<string>;
  emails: Set<string>;
  askedIc: Set<string>;
  askedSf: Set<string>;
}

async function readIntercom(ctx: Ctx, p: Person, ids: string[], emails: string[]): Promise<void> {
  const ic = ctx.deps.intercom(ctx.ws);
  await Promise.all([
    ...ids.map(async (id) => {
      p.askedIc.add(id);
      try {
        const c = await ic.getContact(id);
        p.ic.set(c.id, c);
      } catch (err) {
        if (!(err instanceof ConnectorError && err.kind === 'not_found')) throw err;
        p.goneIc.add(id);
      }
    }),
    ...emails.map(async (email) => {
      const page = await ic.searchContacts({ field: 'email', operator: '=', value: email });
      for (const c of page.contacts) if (normaliseEmail(c.email) === email) p.ic.set(c.id, c);
    }),
  ]);
}

async function readSalesforceSide(ctx: Ctx, item: ItemSettings, p: Person, ids: [SfObject, string][], emails: string[]): Promise<void> {
  const w = emptyWanted();
  for (const [o, id] of ids) {
    w.ids[o].push(id);
    p.askedSf.add(id);
  }
  w.emails.Contact.push(...emails);
  w.emails.Lead.push(...emails);
  const read = await readSalesforce(ctx, item, w);
  for (const o of ['Contact', 'Lead'] as const) for (const r of read[o]) p.sf[o].set(r.Id, r);
  for (const [o, id] of ids) if (!p.sf[o].has(id)) p.goneSf.add(id);
}

/** Emails and linked ids the first reads turned up that were not read yet. */
async function nextRound(stores: Stores, p: Person): Promise<{ ic: string[]; sf: [SfObject, string][]; emails: string[] }> {
  const sfAll = [...p.sf.Contact.values(), ...p.sf.Lead.values()];
  const [icLinks, sfLinks] = await Promise.all([stores.links.icLinks(p.ic.keys()), stores.links.sfLinks(sfAll.map((r) => r.Id))]);
  const emails = [...p.ic.values()]
    .map((c) => normaliseEmail(c.email))
    .concat(sfAll.map((r) => normaliseEmail(typeof r.Email === 'string' ? r.Email : null)));
  const ic = [...sfLinks.values()].map((l) => l.icId).filter((id) => !p.askedIc.has(id) && !p.ic.has(id));
  const sf: [SfObject, string][] = [];
  for (const { links } of icLinks.values()) {
    if (links.Contact && !p.askedSf.has(links.Contact)) sf.push(['Contact', links.Contact]);
    if (links.Lead && !p.askedSf.has(links.Lead)) sf.push(['Lead', links.Lead]);
  }
  const fresh = [...new Set(emails.filter((e): e is string => e !== null && !p.emails.has(e)))];
  for (const e of fresh) p.emails.add(e);
  return { ic: [...new Set(ic)], sf: sf.filter(([, id]) => !p.sf.Contact.has(id) && !p.sf.Lead.has(id)), emails: fresh };
}

function firstRound(body: Body): { ic: string[]; sf: [SfObject, string][]; emails: string[] } {
  const sf: [SfObject, string][] = [];
  if (body.sfId) {
    const object = body.sfObject ?? objectOfId(body.sfId);
    if (!object)
      throw new PermanentError(`resync: cannot tell whether ${body.sfId} is a Lead or a Contact; give sfObject`, {
        name: 'ResyncInputError',
      });
    sf.push([object, body.sfId]);
  }
  const email = body.email === undefined ? null : normaliseEmail(body.email);
  if (body.email !== undefined && email === null) throw new PermanentError('resync: email is empty', { name: 'ResyncInputError' });
  if (!body.sfId && !body.icId && email === null)
    throw new PermanentError('resync needs sfId, icId or email', { name: 'ResyncInputError' });
  return { ic: body.icId ? [body.icId] : [], sf, emails: email ? [email] : [] };
}

export async function handleMatchResync(body: Body, ctx: Ctx, facts: WorkspaceFacts): Promise<void> {
  const first = firstRound(body);
  const item = await facts.forItem();
  const stores = await storesFor(ctx);
  const p: Person = {
    ic: new Map(),
    sf: { Contact: new Map(), Lead: new Map() },
    goneIc: new Set(),
    goneSf: new Set(),
    emails: new Set(first.emails),
    askedIc: new Set(),
    askedSf: new Set(),
  };
  // What was asked for, then once more for what it leads to (links, the other side's email).
  await Promise.all([readIntercom(ctx, p, first.ic, first.emails), readSalesforceSide(ctx, item, p, first.sf, first.emails)]);
  const second = await nextRound(stores, p);
  await Promise.all([readIntercom(ctx, p, second.ic, second.emails), readSalesforceSide(ctx, item, p, second.sf, second.emails)]);
  await stores.index.upsert([...p.ic.values()], item.key, ctx.deps.now(), 'force');
  if (p.goneIc.size) {
    await stores.links.dropContacts(p.goneIc);
    await stores.index.remove(p.goneIc);
  }
  await Promise.all([...p.goneSf].map((id) => stores.links.dropRecord(id)));
  const records = { Contact: [...p.sf.Contact.values()], Lead: [...p.sf.Lead.values()] };
  const outcomes = await joinBoth(ctx, stores, records, item);
  const t = tally(outcomes, item.settings.matching.duplicatePolicy);
  const batchId = contentBatchId('resync', {
    body,
    sf: outcomes.map((o) => [o.sf.Id, o.sf.SystemModstamp, o.kind]),
    ic: [...p.ic.values()].map((c) => [c.id, c.updated_at]),
  });
  await publishBatch(ctx, {
    batchId,
    item,
    tally: t,
    scanned: records.Contact.length + records.Lead.length,
    errorIds: body.errorIds,
    ...(body.requestId === undefined ? {} : { requestId: body.requestId }),
    always: body.requestId !== undefined,
  });
}
