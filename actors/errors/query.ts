// Filtering, ordering, paging and counting of sync errors: pure functions over what the bucket
// holds, so the endpoints stay thin and the rules are unit-tested.
import type { BodyOf, ErrorCause, ErrorsList, MatchResync, SyncError } from '../../protocol/index.ts';
import type { z } from 'zod';

export type ListQuery = z.infer<(typeof ErrorsList)['request']>;
export type DirectionFilter = ListQuery['direction'];

export function matchesQuery(e: SyncError, q: Omit<ListQuery, 'limit' | 'offset'>): boolean {
  if (q.direction !== 'all' && e.direction !== q.direction) return false;
  if (q.syncType !== undefined && e.syncType !== q.syncType) return false;
  if (q.cause !== undefined && e.cause !== q.cause) return false;
  if (q.since !== undefined && e.lastAt < q.since) return false;
  if (q.until !== undefined && e.lastAt > q.until) return false;
  return true;
}

/** Newest first by last occurrence; ties broken by id so pages never overlap. */
export function newestFirst(a: SyncError, b: SyncError): number {
  return b.lastAt - a.lastAt || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
}

export function listErrors(all: readonly SyncError[], q: ListQuery): { errors: SyncError[]; total: number } {
  const hits = all.filter((e) => matchesQuery(e, q)).sort(newestFirst);
  return { errors: hits.slice(q.offset, q.offset + q.limit), total: hits.length };
}

export function countByCause(all: readonly SyncError[], direction: DirectionFilter): { byCause: Record<string, number>; total: number } {
  const byCause: Partial<Record<ErrorCause, number>> = {};
  let total = 0;
  for (const e of all) {
    if (direction !== 'all' && e.direction !== direction) continue;
    byCause[e.cause] = (byCause[e.cause] ?? 0) + 1;
    total++;
  }
  return { byCause, total };
}

export type MatchResyncBody = BodyOf<typeof MatchResync>;

/** The resync item that retries one error, or null when the error names no record to re-read. */
export function retryItem(e: SyncError, by: string): MatchResyncBody | null {
  if (!e.sfId && !e.icId) return null;
  return {
    sfObject: e.sfObject ?? undefined,
    sfId: e.sfId ?? undefined,
    icId: e.icId ?? undefined,
    errorIds: [e.id],
    requestedBy: by,
  };
}
