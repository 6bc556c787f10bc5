// Sync errors in the errors KV bucket, one key per error: `<ws>.<id>`. Updates are
// compare-and-set (kv.modify), so two workers recording the same failure never lose an attempt.
//
// Listing reads every error of the workspace in one pass and filters in memory. That is
// deliberate: the product shows errors that people act on, and a workspace with more than about
// 10,000 open errors has a problem no list view solves; up to that a list is one streamed read of
// a few megabytes. Past it, keep per-workspace summary keys or a secondary index instead.
//
// The pass is a KV watch (last value per key) closed by a marker written after it starts: a
// marker at or past the revision of its own write proves every earlier value was delivered. The
// marker is one key, so a listing made at the same time may replace this one's marker before the
// watch delivers it; the newer marker, further on in the stream, closes the pass as well.
// Listing keys by "nothing pending" was seen to miss the newest key on nats-server 2.9.
import { RetryableError, kvValue, parseKvValue } from '../../protocol/index.ts';
import type { TypedKv } from '../../runtime/index.ts';
import type { SyncError } from '../../protocol/index.ts';
import { errorKey } from './error-id.ts';
import { type Occurrence, StoredErrorSchema, type StoredError, mergeOccurrence, publicError } from './merge.ts';

const READ_CONCURRENCY = 64;
const LIST_TIMEOUT_MS = 15_000;
/** Not an error id (those are hex): the key of the end-of-listing marker. */
const MARKER = '_listed';

export class ErrorStore {
  private readonly kv: TypedKv;
  private readonly listTimeoutMs: number;

  constructor(kv: TypedKv, opts: { listTimeoutMs?: number } = {}) {
    this.kv = kv;
    this.listTimeoutMs = opts.listTimeoutMs ?? LIST_TIMEOUT_MS;
  }

  /** Records one occurrence; returns the error as stored (unchanged when the report was a repeat). */
  async record(ws: string, report: Occurrence, id: string): Promise<SyncError> {
    const seen: { current: StoredError | null; next: StoredError | undefined } = { current: null, next: undefined };
    await this.kv.modify(errorKey(ws, id), (raw) => {
      seen.current = raw === null ? null : parseKvValue(StoredErrorSchema, raw, `sync error ${id}`);
      seen.next = mergeOccurrence(ws, seen.current, report);
      return seen.next;
    });
    const result = seen.next ?? seen.current;
    if (!result) throw new Error(`sync error ${id} of workspace ${ws} was neither stored nor found`);
    return publicError(result);
  }

  async get(ws: string, id: string): Promise<SyncError | null> {
    if (id === MARKER || id.includes('.') || id.includes('*') || id.includes('>')) return null;
    const v = await this.kv.getRaw(errorKey(ws, id));
    if (!v) return null;
    const stored = kvValue(StoredErrorSchema, v.value);
    return stored ? publicError(stored) : null;
  }

  /** Every error of the workspace, in no particular order. Unreadable values are skipped. */
  async all(ws: string): Promise<SyncError[]> {
    const found = new Map<string, SyncError>();
    // Revisions of the markers seen and of this listing's own (unknown until its write returns).
    let markerSeen = 0;
    let mine = Number.POSITIVE_INFINITY;
    let finish: () => void = () => undefined;
    const complete = new Promise<void>((resolve) => {
      finish = resolve;
    });
    const check = () => {
      if (markerSeen >= mine) finish();
    };
    const stop = await this.kv.watch(`${ws}.*`, (key, value, revision) => {
      const id = key.slice(ws.length + 1);
      if (id === MARKER) {
        markerSeen = Math.max(markerSeen, revision);
        check();
        return;
      }
      const stored = kvValue(StoredErrorSchema, value);
      if (stored) found.set(id, publicError(stored));
      else found.delete(id);
    });
    let timer: NodeJS.Timeout | undefined;
    try {
      mine = await this.kv.put(errorKey(ws, MARKER), { at: Date.now() });
      check();
      await Promise.race([
        complete,
        new Promise((_, reject) => {
          timer = setTimeout(
            () =>
              reject(
                new RetryableError(`reading the sync errors of ${ws} took longer than ${this.listTimeoutMs} ms`, {
                  name: 'ListTimeoutError',
                }),
              ),
            this.listTimeoutMs,
          );
        }),
      ]);
    } finally {
      clearTimeout(timer);
      stop();
    }
    return [...found.values()];
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
