// Bookkeeping that lets a refresh tell which contacts Intercom no longer has, without listing
// keys: the directory of every indexed contact (4,096 shards, changed only when a contact enters or
// leaves the index), and the contacts each page of the current refresh listed.
import type { TypedKv } from '../../runtime/index.ts';
import { getMany } from './kv-read.ts';
import { DIRECTORY_SHARDS, indexKeys, shardOf } from './keys.ts';

interface Shard { ids: string[] }
interface RefreshState { run: string; pages: number }

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
    await Promise.all([...byShard(ids)].map(([shard, mine]) => this.kv.modify<Shard>(indexKeys.shard(this.ws, shard), (cur) => {
      const before = (cur as Shard | null)?.ids ?? [];
      const set = new Set(before);
      for (const id of mine) op(set, id);
      return set.size === before.length && before.every((id) => set.has(id)) ? undefined : { ids: [...set] };
    })));
  }

  async all(): Promise<string[]> {
    const keys = Array.from({ length: DIRECTORY_SHARDS }, (_, s) => indexKeys.shard(this.ws, s));
    return (await getMany(this.kv, keys)).flatMap((v) => (v as Shard | null)?.ids ?? []);
  }
}

export class RefreshPages {
  private readonly kv: TypedKv;
  private readonly ws: string;

  constructor(kv: TypedKv, ws: string) {
    this.kv = kv;
    this.ws = ws;
  }

  /** A new run drops the pages an earlier one left (finished or not). */
  async begin(run: string): Promise<void> {
    const state = (await this.kv.getRaw(indexKeys.refreshState(this.ws)))?.value as RefreshState | undefined;
    if (!state || state.run === run) return;
    await Promise.all(Array.from({ length: state.pages }, (_, p) => this.kv.delete(indexKeys.page(this.ws, state.run, p))));
    await this.kv.put(indexKeys.refreshState(this.ws), { run, pages: 0 } satisfies RefreshState);
  }

  async put(run: string, page: number, ids: string[]): Promise<void> {
    await this.kv.put(indexKeys.page(this.ws, run, page), { ids });
    await this.kv.modify<RefreshState>(indexKeys.refreshState(this.ws), (cur) => {
      const s = cur as RefreshState | null;
      if (s && s.run === run && s.pages > page) return undefined;
      return { run, pages: s && s.run === run ? Math.max(s.pages, page + 1) : page + 1 };
    });
  }

  /** Ids each page of the run listed; null for a page without a record. */
  async seen(run: string, pages: number): Promise<(string[] | null)[]> {
    const keys = Array.from({ length: pages }, (_, p) => indexKeys.page(this.ws, run, p));
    return (await getMany(this.kv, keys)).map((v) => ((v as { ids?: unknown } | null)?.ids as string[] | undefined) ?? null);
  }
}
