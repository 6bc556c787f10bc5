// One batch of Salesforce records against the index: load what the join looks at in a few
// concurrent rounds, join, and write what the join decided (new links, stale links dropped).
import type { SfObject, SfRecord } from '../../connectors/index.ts';
import type { ActorContext } from '../../runtime/index.ts';
import { type MatchKey, type IndexEntry, recordKey } from './entry.ts';
import { IndexStore } from './index-store.ts';
import { type IcLinks, type JoinInput, type JoinRecord, type Outcome, joinRecords } from './join.ts';
import { type IcLinksRead, LinkStore } from './link-store.ts';

export interface Stores { index: IndexStore; links: LinkStore }

export async function storesFor(ctx: ActorContext): Promise<Stores> {
  const [index, links] = await Promise.all([ctx.kv('index'), ctx.kv('links')]);
  return { index: new IndexStore(index, ctx.ws), links: new LinkStore(links, ctx.ws) };
}

/** Of these Salesforce Ids, the ones that still exist. */
export type VerifyRecords = (object: SfObject, sfIds: string[]) => Promise<Set<string>>;

/** What has been read so far; each key and id is read at most once per batch. */
class View {
  readonly sfLinks = new Map<string, string>();
  readonly byKey = new Map<string, string[]>();
  readonly entries = new Map<string, IndexEntry>();
  readonly icLinks = new Map<string, IcLinksRead>();
  private readonly keysRead = new Set<string>();
  private readonly entriesRead = new Set<string>();
  private readonly stores: Stores;
  private readonly kind: 'e' | 'k';

  constructor(stores: Stores, key: MatchKey) {
    this.stores = stores;
    this.kind = key.kind === 'email' ? 'e' : 'k';
  }

  async readLinks(object: SfObject, sfIds: string[]): Promise<void> {
    for (const [sfId, l] of await this.stores.links.sfLinks(sfIds)) if (l.object === object) this.sfLinks.set(sfId, l.icId);
  }

  /** Entries (and, when asked, their contact-side links) not read yet. */
  async readContacts(ids: Iterable<string>, withLinks: boolean): Promise<void> {
    const fresh = [...new Set(ids)].filter((id) => !this.entriesRead.has(id));
    const linkIds = withLinks ? [...new Set(ids)].filter((id) => !this.icLinks.has(id)) : [];
    for (const id of fresh) this.entriesRead.add(id);
    const [entries, links] = await Promise.all([this.stores.index.entries(fresh), this.stores.links.icLinks(linkIds)]);
    for (const [id, e] of entries) this.entries.set(id, e);
    for (const [id, l] of links) this.icLinks.set(id, l);
  }

  /** Lookups of keys not read yet, then their contacts with links. */
  async readKeys(keys: Iterable<string>): Promise<void> {
    const fresh = [...new Set(keys)].filter((k) => !this.keysRead.has(k));
    if (fresh.length === 0) return;
    for (const k of fresh) this.keysRead.add(k);
    const found = await this.stores.index.lookups(this.kind, fresh);
    for (const [k, ids] of found) this.byKey.set(k, ids);
    await this.readContacts([...found.values()].flat(), true);
  }

  hasKey(k: string): boolean {
    return this.keysRead.has(k);
  }

  /** Records that are gone no longer claim a contact. */
  forget(object: SfObject, sfIds: Set<string>): void {
    for (const r of this.icLinks.values()) {
      const claimed = r.links[object];
      if (claimed !== undefined && sfIds.has(claimed)) delete r.links[object];
    }
  }

  input(object: SfObject, records: JoinRecord[], key: MatchKey): JoinInput {
    const icLinks = new Map<string, IcLinks>();
    for (const [id, r] of this.icLinks) icLinks.set(id, r.links);
    return { object, records, key, sfLinks: this.sfLinks, byKey: this.byKey, entries: this.entries, icLinks };
  }
}

export interface MatchOptions {
  /** Checks records other matches collided with; without it such collisions stay ambiguous. */
  verify?: VerifyRecords;
  /** Records known to exist (just read from Salesforce): no need to verify them. */
  known?: ReadonlySet<string>;
}

async function load(view: View, object: SfObject, recs: JoinRecord[]): Promise<void> {
  await view.readLinks(object, recs.map((r) => r.sf.Id));
  const keys = recs.filter((r) => r.key !== null && !view.sfLinks.has(r.sf.Id)).map((r) => r.key as string);
  await Promise.all([view.readKeys(keys), view.readContacts(view.sfLinks.values(), object === 'Lead')]);
}

/** Joins a batch of one object and records its links; returns one outcome per record. */
export async function matchBatch(stores: Stores, object: SfObject, records: readonly SfRecord[], key: MatchKey, opts: MatchOptions = {}): Promise<Outcome[]> {
  const recs = records.map((sf) => ({ sf, key: recordKey(sf, key) }));
  const view = new View(stores, key);
  await load(view, object, recs);
  let result = joinRecords(view.input(object, recs, key));
  // A link that no longer holds falls back to the key, whose lookup was not read yet.
  const stale = new Set(result.staleLinks);
  const missing = recs.filter((r) => stale.has(r.sf.Id) && r.key !== null && !view.hasKey(r.key)).map((r) => r.key as string);
  if (missing.length) {
    await view.readKeys(missing);
    result = joinRecords(view.input(object, recs, key));
  }
  const gone = await goneRecords(object, result.linkedElsewhere, opts);
  if (gone.size) {
    view.forget(object, gone);
    result = joinRecords(view.input(object, recs, key));
    for (const id of gone) result.staleLinks.push(id);
  }
  await Promise.all([
    ...[...new Set(result.staleLinks)].map((sfId) => stores.links.dropRecord(sfId)),
    ...result.outcomes.map((o) => (o.kind === 'matched' && o.via === 'key'
      ? stores.links.link(object, o.sf.Id, o.entry.id, view.icLinks.get(o.entry.id))
      : undefined)),
  ]);
  return result.outcomes;
}

async function goneRecords(object: SfObject, ids: string[], opts: MatchOptions): Promise<Set<string>> {
  const unsure = ids.filter((id) => !opts.known?.has(id));
  if (unsure.length === 0 || !opts.verify) return new Set();
  const existing = await opts.verify(object, unsure);
  return new Set(unsure.filter((id) => !existing.has(id)));
}
