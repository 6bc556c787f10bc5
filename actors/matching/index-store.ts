// The identity index in KV: entries per Intercom contact and the lookups that find them by email
// or match-key value. Reads of a batch go out together (Promise.all), never one after another.
// Lookups and the directory (or the refresh page listing the contact) are written before an
// entry, so an entry on disk always has them; a lookup may list an id whose entry moved on, and
// readers check the entry.
import { type Lookup, LookupSchema, kvValue } from '../../protocol/index.ts';
import { KvConflictError, type TypedKv } from '../../runtime/index.ts';
import { type ContactInput, type IndexEntry, asIndexEntry, entryFor, sameIndexed } from './entry.ts';
import type { MatchKey } from '../domain/index.ts';
import { Directory } from './directory.ts';
import { type LookupKind, indexKeys } from './keys.ts';
import { getMany } from './kv-read.ts';

/** `<ws>.e.*` / `<ws>.k.*`: the value (to tell a hash collision) and the contacts holding it. */
export type { Lookup };

/** How an upsert treats a stored entry that is not newer. `changed`: keep it when it holds the
 * same (a refresh rewrites nothing unchanged; the poll overlaps a day, and what was seen is left
 * out); `force`: write even an equal one (a resync repairs whatever is stored). */
export type UpsertMode = 'changed' | 'force';

export interface UpsertResult {
  /** The entry now current for every contact given, by id. */
  entries: Map<string, IndexEntry>;
  /** Contacts written by this call. */
  written: string[];
  /** Contacts left alone because the stored entry was as new or newer. */
  notNewer: string[];
  /** What was stored before this call, for the contacts it wrote (null: none). */
  previous: Map<string, IndexEntry | null>;
}

interface LookupChange {
  kind: LookupKind;
  value: string;
  add: Set<string>;
  remove: Set<string>;
}

function change(changes: Map<string, LookupChange>, ws: string, kind: LookupKind, value: string): LookupChange {
  const k = indexKeys.lookup(ws, kind, value);
  let c = changes.get(k);
  if (!c) changes.set(k, (c = { kind, value, add: new Set(), remove: new Set() }));
  return c;
}

function noteLookups(
  changes: Map<string, LookupChange>,
  ws: string,
  id: string,
  before: IndexEntry | null,
  after: IndexEntry | null,
  force: boolean,
): void {
  const pairs: [LookupKind, string | null, string | null][] = [
    ['e', before?.email ?? null, after?.email ?? null],
    ['k', before?.matchKey ?? null, after?.matchKey ?? null],
  ];
  for (const [kind, was, now] of pairs) {
    if (was === now && !force) continue;
    if (was !== null && was !== now) change(changes, ws, kind, was).remove.add(id);
    if (now !== null) change(changes, ws, kind, now).add.add(id);
  }
}

export class IndexStore {
  readonly kv: TypedKv;
  readonly ws: string;
  readonly directory: Directory;

  constructor(kv: TypedKv, ws: string) {
    this.kv = kv;
    this.ws = ws;
    this.directory = new Directory(kv, ws);
  }

  async entries(ids: Iterable<string>): Promise<Map<string, IndexEntry>> {
    const list = [...new Set(ids)];
    const values = await getMany(
      this.kv,
      list.map((id) => indexKeys.contact(this.ws, id)),
    );
    const out = new Map<string, IndexEntry>();
    values.forEach((v, i) => {
      const e = asIndexEntry(v);
      if (e && e.id === list[i]) out.set(e.id, e);
    });
    return out;
  }

  /** Ids listed under each value (values without a lookup are left out). */
  async lookups(kind: LookupKind, values: Iterable<string>): Promise<Map<string, string[]>> {
    const list = [...new Set(values)];
    const found = await getMany(
      this.kv,
      list.map((v) => indexKeys.lookup(this.ws, kind, v)),
    );
    const out = new Map<string, string[]>();
    found.forEach((raw, i) => {
      const l = kvValue(LookupSchema, raw);
      if (l && l.v === list[i]) out.set(list[i], l.ids);
    });
    return out;
  }

  /** `listed`: a refresh page has recorded these contacts, so new ones need no directory shard. */
  async upsert(
    contacts: readonly ContactInput[],
    key: MatchKey,
    nowMs: number,
    mode: UpsertMode,
    opts: { listed?: boolean } = {},
  ): Promise<UpsertResult> {
    const latest = new Map<string, ContactInput>();
    for (const c of contacts) if (!latest.has(c.id) || latest.get(c.id)!.updated_at < c.updated_at) latest.set(c.id, c);
    const stored = await this.entries(latest.keys());
    const result: UpsertResult = { entries: new Map(), written: [], notNewer: [], previous: new Map() };
    const changes = new Map<string, LookupChange>();
    const puts: IndexEntry[] = [];
    const entering: string[] = [];
    for (const c of latest.values()) {
      const old = stored.get(c.id) ?? null;
      const next = entryFor(c, key, nowMs);
      const keep = old !== null && (old.updatedAt > c.updated_at || (mode !== 'force' && sameIndexed(old, next)));
      if (keep) {
        result.entries.set(c.id, old);
        result.notNewer.push(c.id);
        continue;
      }
      noteLookups(changes, this.ws, c.id, old, next, mode === 'force');
      if (old === null || mode === 'force') entering.push(c.id);
      puts.push(next);
      result.entries.set(c.id, next);
      result.written.push(c.id);
      result.previous.set(c.id, old);
    }
    await Promise.all([this.applyLookups(changes), opts.listed ? undefined : this.directory.add(entering)]);
    await Promise.all(puts.map((e) => this.kv.put(indexKeys.contact(this.ws, e.id), e)));
    return result;
  }

  /** Removes entries and their lookup memberships; returns what was removed. */
  async remove(ids: Iterable<string>): Promise<IndexEntry[]> {
    const list = [...ids];
    const stored = [...(await this.entries(list)).values()];
    const changes = new Map<string, LookupChange>();
    for (const e of stored) noteLookups(changes, this.ws, e.id, e, null, false);
    await this.applyLookups(changes);
    await Promise.all(stored.map((e) => this.kv.delete(indexKeys.contact(this.ws, e.id))));
    await this.directory.remove(list);
    return stored;
  }

  /** One compare-and-set per lookup key, however many contacts of the batch share it. */
  private async applyLookups(changes: Map<string, LookupChange>): Promise<void> {
    await Promise.all([...changes].map(([k, c]) => this.applyLookup(k, c)));
  }

  private async applyLookup(k: string, c: LookupChange): Promise<void> {
    // Most additions are of an address no one else has: create it without reading first.
    if (c.remove.size === 0) {
      try {
        await this.kv.create(k, { v: c.value, ids: [...c.add] } satisfies Lookup);
        return;
      } catch (err) {
        if (!(err instanceof KvConflictError)) throw err;
      }
    }
    await this.kv.modify<Lookup>(k, (cur) => {
      // A value not of its schema is rewritten from this change alone.
      const l = kvValue(LookupSchema, cur);
      const before = new Set(l?.ids ?? []);
      const after = new Set(before);
      for (const id of c.remove) after.delete(id);
      for (const id of c.add) after.add(id);
      const same = l?.v === c.value && after.size === before.size && [...after].every((id) => before.has(id));
      return same ? undefined : { v: c.value, ids: [...after] };
    });
  }
}
