// Sync errors in the errors KV bucket, one key per error: `<ws>.<id>`. Updates are
// compare-and-set (kv.modify), so two workers recording the same failure never lose an attempt.
//
// Listing reads every value of the workspace (keys, then gets with bounded concurrency) and
// filters in memory. That is deliberate: the product shows errors that people act on, and a
// workspace with more than about 10,000 open errors has a problem no list view solves; up to that
// a list costs one key scan and a few thousand small reads (see the report of the errors actor's
// listing figures). Past it, keep a per-workspace summary key or a secondary index instead.
import type { TypedKv } from '../../runtime/index.ts';
import type { SyncError } from '../../protocol/index.ts';
import { errorKey } from './error-id.ts';
import { type Occurrence, StoredErrorSchema, type StoredError, mergeOccurrence, publicError } from './merge.ts';

const READ_CONCURRENCY = 64;

export class ErrorStore {
  private readonly kv: TypedKv;

  constructor(kv: TypedKv) {
    this.kv = kv;
  }

  /** Records one occurrence; returns the error as stored (unchanged when the report was a repeat). */
  async record(ws: string, report: Occurrence, id: string): Promise<SyncError> {
    const seen: { current: StoredError | null; next: StoredError | undefined } = { current: null, next: undefined };
    await this.kv.modify(errorKey(ws, id), (raw) => {
      seen.current = raw === null ? null : StoredErrorSchema.parse(raw);
      seen.next = mergeOccurrence(ws, seen.current, report);
      return seen.next;
    });
    const result = seen.next ?? seen.current;
    if (!result) throw new Error(`sync error ${id} of workspace ${ws} was neither stored nor found`);
    return publicError(result);
  }

  async get(ws: string, id: string): Promise<SyncError | null> {
    const v = await this.kv.getRaw(errorKey(ws, id));
    if (!v) return null;
    const parsed = StoredErrorSchema.safeParse(v.value);
    return parsed.success ? publicError(parsed.data) : null;
  }

  async ids(ws: string): Promise<string[]> {
    const out: string[] = [];
    for await (const k of this.kv.keys(`${ws}.*`)) out.push(k.slice(ws.length + 1));
    return out;
  }

  /** Every error of the workspace, in no particular order. Unreadable values are skipped. */
  async all(ws: string): Promise<SyncError[]> {
    return (await this.getMany(ws, await this.ids(ws))).filter((e): e is SyncError => e !== null);
  }

  async getMany(ws: string, ids: readonly string[]): Promise<(SyncError | null)[]> {
    const out: (SyncError | null)[] = new Array(ids.length).fill(null);
    let next = 0;
    const worker = async () => {
      while (next < ids.length) {
        const i = next++;
        out[i] = await this.get(ws, ids[i]);
      }
    };
    await Promise.all(Array.from({ length: Math.min(READ_CONCURRENCY, ids.length) }, worker));
    return out;
  }

  async remove(ws: string, ids: readonly string[]): Promise<void> {
    await Promise.all(ids.map((id) => this.kv.delete(errorKey(ws, id))));
  }
}
