// What the index holds, known without listing it (a listing reads every entry: about 5 s for
// 100k, against tens of milliseconds for the shards), so that a refresh can tell which contacts
// Intercom no longer has:
// - Page records: each page of a refresh records the contacts it listed, before it indexes them.
//   The records of the last refresh that completed, and of every refresh begun after it, name
//   every contact a refresh put in the index since. A page costs two writes, whatever its size.
// - Directory shards: contacts that entered the index some other way (webhook, poll, resync), in
//   4,096 shards. A shard is rewritten whole, so only these few go there.
// A refresh that completes sweeps out what these name and it did not list; then its own pages
// replace all earlier ones and the shards let go of the contacts it listed.
import {
  DirectoryShardSchema,
  type PageRecord,
  PageRecordSchema,
  type RefreshState,
  RefreshStateSchema,
  kvValue,
} from '../../protocol/index.ts';
import type { TypedKv } from '../../runtime/index.ts';
import { getMany } from './kv-read.ts';
import { DIRECTORY_SHARDS, indexKeys, shardOf } from './keys.ts';

// Values (protocol/kv-values.ts): a shard, page record or refresh state not of its schema reads
// as none. `<ws>.rs`'s `earlier`: refreshes whose page records still name contacts (the last
// complete one and any left unfinished after it). Older records ({run, pages} only) read as
// unfinished.
type Listing = Pick<RefreshState, 'run' | 'pages'>;
const shardIds = (v: unknown): string[] => kvValue(DirectoryShardSchema, v)?.ids ?? [];
const refreshState = (v: unknown): RefreshState | null => kvValue(RefreshStateSchema, v);

function byShard(ids: Iterable<string>): Map<number, Set<string>> {
  const out = new Map<number, Set<string>>();
  for (const id of ids) {
    const s = shardOf(id);
    let set = out.get(s);
    if (!set) out.set(s, (set = new Set()));
    set.add(id);
  }
  return out;
}

export class Directory {
  private readonly kv: TypedKv;
  private readonly ws: string;

  constructor(kv: TypedKv, ws: string) {
    this.kv = kv;
    this.ws = ws;
  }

  add(ids: Iterable<string>): Promise<void> {
    return this.change(ids, (set, id) => set.add(id));
  }

  remove(ids: Iterable<string>): Promise<void> {
    return this.change(ids, (set, id) => set.delete(id));
  }

  /** One compare-and-set per shard touched. */
  private async change(ids: Iterable<string>, op: (set: Set<string>, id: string) => void): Promise<void> {
    await Promise.all(
      [...byShard(ids)].map(([shard, mine]) =>
        this.kv.modify(indexKeys.shard(this.ws, shard), (cur) => {
          const before = shardIds(cur);
          const set = new Set(before);
          for (const id of mine) op(set, id);
          return set.size === before.length && before.every((id) => set.has(id)) ? undefined : { ids: [...set] };
        }),
      ),
    );
  }

  async all(): Promise<string[]> {
    const keys = Array.from({ length: DIRECTORY_SHARDS }, (_, s) => indexKeys.shard(this.ws, s));
    return (await getMany(this.kv, keys)).flatMap(shardIds);
  }
}

export class RefreshPages {
  private readonly kv: TypedKv;
  private readonly ws: string;

  constructor(kv: TypedKv, ws: string) {
    this.kv = kv;
    this.ws = ws;
  }

  private state(): Promise<RefreshState | null> {
    return this.kv.getRaw(indexKeys.refreshState(this.ws)).then((r) => refreshState(r?.value));
  }

  /** A new run becomes the current one; the one before joins the listings still needed. */
  async begin(run: string): Promise<void> {
    await this.kv.modify<RefreshState>(indexKeys.refreshState(this.ws), (cur) => {
      const s = refreshState(cur);
      if (s?.run === run) return undefined;
      const earlier = !s ? [] : [...(s.done ? [] : (s.earlier ?? [])), { run: s.run, pages: s.pages }];
      return { run, pages: 0, done: false, earlier };
    });
  }

  /** The contacts a page listed: recorded before they are indexed (`indexed` false), and again once they are. */
  async put(run: string, page: number, ids: string[], indexed: boolean): Promise<void> {
    await this.kv.put(indexKeys.page(this.ws, run, page), { ids, indexed } satisfies PageRecord);
    if (indexed) return;
    await this.kv.modify<RefreshState>(indexKeys.refreshState(this.ws), (cur) => {
      const s = refreshState(cur);
      if (!s || s.run === run) {
        if (s && s.pages > page) return undefined;
        return { done: false, earlier: [], ...s, run, pages: page + 1 };
      }
      // A page of a refresh that a later one has overtaken (it was running when its run stopped).
      const earlier = s.earlier ?? [];
      const mine = earlier.find((l) => l.run === run);
      if (!mine || mine.pages > page) return undefined;
      return { ...s, earlier: earlier.map((l) => (l === mine ? { run, pages: page + 1 } : l)) };
    });
  }

  /** Ids each page of the run listed once indexed; null for a page not indexed yet. */
  async seen(run: string, pages: number): Promise<(string[] | null)[]> {
    return (await this.records(run, pages)).map((r) => (r?.indexed ? r.ids : null));
  }

  private async records(run: string, pages: number): Promise<(PageRecord | null)[]> {
    const keys = Array.from({ length: pages }, (_, p) => indexKeys.page(this.ws, run, p));
    return (await getMany(this.kv, keys)).map((v) => kvValue(PageRecordSchema, v));
  }

  /** Every contact the page records of earlier refreshes name. */
  async earlier(run: string): Promise<string[]> {
    const s = await this.state();
    if (!s || s.run !== run) return [];
    const lists = await Promise.all((s.earlier ?? []).map((l) => this.records(l.run, l.pages)));
    return lists.flat().flatMap((r) => r?.ids ?? []);
  }

  /** The run's pages now name everything a refresh indexed: earlier records go. */
  async complete(run: string, pages: number): Promise<void> {
    let superseded: Listing[] = [];
    await this.kv.modify<RefreshState>(indexKeys.refreshState(this.ws), (cur) => {
      const s = refreshState(cur);
      if (!s || s.run !== run) return undefined;
      superseded = s.earlier ?? [];
      return { run, pages: Math.max(s.pages, pages), done: true, earlier: [] };
    });
    await Promise.all(
      superseded.flatMap((l) => Array.from({ length: l.pages }, (_, p) => this.kv.delete(indexKeys.page(this.ws, l.run, p)))),
    );
  }
}
