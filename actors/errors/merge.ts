// Folding one reported occurrence into the stored error. Pure, so the read-modify-write in KV
// (compare-and-set, retried on conflicts) can call it as often as it needs.
import type { z } from 'zod';
import { type ReportSyncError, StoredErrorSchema, type BodyOf, type SyncError } from '../../protocol/index.ts';
import { canonicalAttributes, errorId, toSf18 } from './error-id.ts';

export type Occurrence = BodyOf<typeof ReportSyncError>;

/** How many recent occurrences are remembered to recognise a redelivered report. */
export const SEEN_LIMIT = 16;

/** What the bucket holds (protocol/kv-values.ts): the public error plus the keys of its recent
 * occurrences. A report delivered twice (at-least-once) must not count as a second attempt. */
export { StoredErrorSchema };
export type StoredError = z.infer<typeof StoredErrorSchema>;

export function occurrenceKey(o: Occurrence): string {
  return `${o.at}|${o.syncType}|${o.run ?? ''}`;
}

function normalised(o: Occurrence): Occurrence {
  return { ...o, sfId: o.sfId ? toSf18(o.sfId) : null, attributes: canonicalAttributes(o.attributes) };
}

/** The stored error after `report`, or undefined when the report was already counted. */
export function mergeOccurrence(ws: string, current: StoredError | null, report: Occurrence): StoredError | undefined {
  const o = normalised(report);
  const key = occurrenceKey(o);
  if (!current) {
    return {
      id: errorId(ws, o),
      ws,
      syncType: o.syncType,
      direction: o.direction,
      sfObject: o.sfObject,
      sfId: o.sfId,
      icId: o.icId,
      attributes: o.attributes,
      cause: o.cause,
      message: o.message,
      details: o.details,
      run: o.run,
      firstAt: o.at,
      lastAt: o.at,
      attempts: 1,
      seen: [key],
    };
  }
  if (current.seen.includes(key)) return undefined;
  // Reports can arrive out of order: the newest occurrence describes the error, whatever came last.
  const newer = o.at >= current.lastAt;
  const latest = newer
    ? { syncType: o.syncType, message: o.message, details: o.details, run: o.run }
    : { syncType: current.syncType, message: current.message, details: current.details, run: current.run };
  return {
    ...current,
    ...latest,
    sfObject: current.sfObject ?? o.sfObject,
    sfId: current.sfId ?? o.sfId,
    icId: (newer ? o.icId : null) ?? current.icId,
    firstAt: Math.min(current.firstAt, o.at),
    lastAt: Math.max(current.lastAt, o.at),
    attempts: current.attempts + 1,
    seen: [...current.seen, key].slice(-SEEN_LIMIT),
  };
}

/** The public view: what the endpoints return. */
export function publicError(e: StoredError): SyncError {
  const { seen: _seen, ...rest } = e;
  return rest;
}

export interface Resolution {
  errorIds: string[];
  sfId: string | null;
  icId: string | null;
  direction: SyncError['direction'] | null;
  at: number;
}

/** Does a clean sync of a record (at `r.at`) clear this error? Only errors of that record (and
 * direction, and ids when named) that did not happen again after the clean sync. */
export function isResolvedBy(e: SyncError, r: Resolution): boolean {
  if (r.errorIds.length > 0 && !r.errorIds.includes(e.id)) return false;
  const sameRecord =
    (r.sfId !== null && e.sfId !== null && toSf18(r.sfId) === toSf18(e.sfId)) || (r.icId !== null && e.icId !== null && r.icId === e.icId);
  const anyRecord = r.sfId === null && r.icId === null;
  if (!sameRecord && !(anyRecord && r.errorIds.length > 0)) return false;
  if (r.direction !== null && e.direction !== r.direction) return false;
  return e.lastAt <= r.at;
}
