// One batch of Salesforce records against the index: load what the join looks at in a few
// concurrent rounds, join, and write what the join decided (new links, stale links dropped).
import type { SfObject, SfRecord } from '../../connectors/index.ts';
import type { ActorContext } from '../../runtime/index.ts';
import { type IndexEntry, recordKey } from './entry.ts';
import type { MatchKey } from '../domain/index.ts';
import { IndexStore } from './index-store.ts';
import { type IcLinks, type JoinInput, type JoinRecord, type JoinResult, type Outcome, joinRecords } from './join.ts';
import { type IcLinksRead, LinkStore } from './link-store.ts';

export interface Stores {
  index: IndexStore;
  links: LinkStore;
}

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
  /** Contact-side links read (or written) in this batch; a contact not here has unknown links. */
  readonly icLinks = new Map<string, IcLinksRead>();
  private readonly keysRead = new Set<string>();
  private readonly entriesRead = new Set<string>();
  private readonly stores: Stores;
  private readonly kind: 'e' | 'k';
  private readonly object: SfObject;

  constructor(stores: Stores, key: MatchKey, object: SfObject) {
    this.stores = stores;
    this.kind = key.kind === 'email' ? 'e' : 'k';
    this.object = object;
  }

  async readSfLinks(sfIds: string[]): Promise<void> {
    for (const [sfId, l] of await this.stores.links.sfLinks(sfIds)) if (l.object === this.object) this.sfLinks.set(sfId, l.icId);
  }

  async readEntries(ids: Iterable<string>): Promise<void> {
    const fresh = [...new Set(ids)].filter((id) => !this.entriesRead.has(id));
    for (const id of fresh) this.entriesRead.add(id);
    for (const [id, e] of await this.stores.index.entries(fresh)) this.entries.set(id, e);
  }

  async readIcLinks(ids: Iterable<string>): Promise<void> {
    const fresh = [...new Set(ids)].filter((id) => !this.icLinks.has(id));
    for (const [id, l] of await this.stores.links.icLinks(fresh)) this.icLinks.set(id, l);
  }

  /**
   * Whose links the join cannot do without: a user contact a Lead could take (a Contact may hold
   * it). Other candidates are claimed by create-if-absent instead, which costs nothing more when
   * the contact has no links, as on a first run.
   */
  private linksNeeded(ids: Iterable<string>): string[] {
    if (this.object !== 'Lead') return [];
    return [...ids].filter((id) => this.entries.get(id)?.role === 'user');
  }

  /** Lookups of keys not read yet, then their contacts. */
  async readKeys(keys: Iterable<string>): Promise<void> {
    const fresh = [...new Set(keys)].filter((k) => !this.keysRead.has(k));
    if (fresh.length === 0) return;
    for (const k of fresh) this.keysRead.add(k);
    const found = await this.stores.index.lookups(this.kind, fresh);
    for (const [k, ids] of found) this.byKey.set(k, ids);
    const ids = [...found.values()].flat();
    await this.readEntries(ids);
    await this.readIcLinks(this.linksNeeded(ids));
  }

  /** Link targets and their entries (and, for Leads, the links of users among them). */
  async readTargets(): Promise<void> {
    await this.readEntries(this.sfLinks.values());
    await this.readIcLinks(this.linksNeeded(this.sfLinks.values()));
  }

  hasKey(k: string): boolean {
    return this.keysRead.has(k);
  }

  /** Records that are gone no longer claim a contact. */
  forget(sfIds: Set<string>): void {
    for (const r of this.icLinks.values()) {
      const claimed = r.links[this.object];
      if (claimed !== undefined && sfIds.has(claimed)) delete r.links[this.object];
    }
  }

  input(records: JoinRecord[], key: MatchKey): JoinInput {
    const icLinks = new Map<string, IcLinks>();
    for (const [id, r] of this.icLinks) icLinks.set(id, r.links);
    return { object: this.object, records, key, sfLinks: this.sfLinks, byKey: this.byKey, entries: this.entries, icLinks };
  }
}

export interface MatchOptions {
  /** Checks records other matches collided with; without it such collisions stay ambiguous. */
  verify?: VerifyRecords;
  /** Records known to exist (just read from Salesforce): no need to verify them. */
  known?: ReadonlySet<string>;
}

type Matched = Extract<Outcome, { kind: 'matched' }>;
const byKey = (o: Outcome): o is Matched => o.kind === 'matched' && o.via === 'key';

class Batch {
  readonly recs: JoinRecord[];
  readonly view: View;
  result: JoinResult;
  private readonly stores: Stores;
  private readonly object: SfObject;
  private readonly key: MatchKey;
  private readonly stale = new Set<string>();
  /** Records already asked about: each is checked once per batch. */
  private readonly checked = new Set<string>();

  constructor(stores: Stores, object: SfObject, records: readonly SfRecord[], key: MatchKey) {
    this.stores = stores;
    this.object = object;
    this.key = key;
    this.recs = records.map((sf) => ({ sf, key: recordKey(sf, key) }));
    this.view = new View(stores, key, object);
    this.result = { outcomes: [], staleLinks: [], linkedElsewhere: [] };
  }

  join(): void {
    this.result = joinRecords(this.view.input(this.recs, this.key));
    for (const id of this.result.staleLinks) this.stale.add(id);
  }

  async load(): Promise<void> {
    await this.view.readSfLinks(this.recs.map((r) => r.sf.Id));
    const keys = this.recs.filter((r) => r.key !== null && !this.view.sfLinks.has(r.sf.Id)).map((r) => r.key as string);
    await Promise.all([this.view.readKeys(keys), this.view.readTargets()]);
    this.join();
  }

  /** A link that no longer holds falls back to the key, whose lookup was not read yet. */
  async fallBack(): Promise<void> {
    const missing = this.recs.filter((r) => this.stale.has(r.sf.Id) && r.key !== null && !this.view.hasKey(r.key));
    if (missing.length === 0) return;
    await this.view.readKeys(missing.map((r) => r.key as string));
    this.join();
  }

  /** Collisions with records linked earlier: a linked record that is gone gives its contact up. */
  async verify(opts: MatchOptions): Promise<void> {
    const unsure = this.result.linkedElsewhere.filter((id) => !opts.known?.has(id) && !this.checked.has(id));
    if (unsure.length === 0 || !opts.verify) return;
    for (const id of unsure) this.checked.add(id);
    const existing = await opts.verify(this.object, unsure);
    const gone = new Set(unsure.filter((id) => !existing.has(id)));
    if (gone.size === 0) return;
    this.view.forget(gone);
    for (const id of gone) this.stale.add(id);
    this.join();
  }

  /**
   * Links for matches by key. A contact whose links were not read is claimed by creating its
   * links key; where that key exists, the links are read and the batch joined again, so a contact
   * linked elsewhere turns its record ambiguous rather than being taken.
   */
  async claim(): Promise<Map<string, string>> {
    const links = this.stores.links;
    const unknown = this.result.outcomes.filter(byKey).filter((o) => !this.view.icLinks.has(o.entry.id));
    const revisions = await Promise.all(unknown.map((o) => links.claim(this.object, o.sf.Id, o.entry.id)));
    const claims = new Map<string, string>();
    const taken: string[] = [];
    unknown.forEach((o, i) => {
      const rev = revisions[i];
      if (rev === null) {
        taken.push(o.entry.id);
        return;
      }
      claims.set(o.sf.Id, o.entry.id);
      this.view.icLinks.set(o.entry.id, { links: { [this.object]: o.sf.Id }, revision: rev });
    });
    if (taken.length) {
      await this.view.readIcLinks(taken);
      this.join();
    }
    return claims;
  }

  /** Writes what the final join decided; a claim the final join did not keep is taken back. */
  async write(claims: ReadonlyMap<string, string>): Promise<void> {
    const links = this.stores.links;
    const matched = this.result.outcomes.filter(byKey);
    const kept = new Map(matched.map((o) => [o.sf.Id, o.entry.id]));
    await Promise.all([
      ...[...this.stale].map((sfId) => links.dropRecord(sfId)),
      ...matched.map((o) => links.link(this.object, o.sf.Id, o.entry.id, this.view.icLinks.get(o.entry.id))),
      ...[...claims].filter(([sfId, icId]) => kept.get(sfId) !== icId).map(([sfId, icId]) => links.unclaim(this.object, sfId, icId)),
    ]);
  }
}

/** Joins a batch of one object and records its links; returns one outcome per record. */
export async function matchBatch(
  stores: Stores,
  object: SfObject,
  records: readonly SfRecord[],
  key: MatchKey,
  opts: MatchOptions = {},
): Promise<Outcome[]> {
  const b = new Batch(stores, object, records, key);
  await b.load();
  await b.fallBack();
  await b.verify(opts);
  const claims = await b.claim();
  await b.verify(opts);
  await b.write(claims);
  return b.result.outcomes;
}
