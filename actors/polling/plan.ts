// The polling actor's pure decisions: batch sizes and ids, message ids that make a redelivered
// item publish nothing new, poll ticks and where a first poll starts.
import { createHash } from 'node:crypto';
import type { SfChangeCursor, SfObject } from '../../connectors/index.ts';
import type { IcCursor, SfCursor } from '../../protocol/index.ts';

/** Records per Salesforce query call: the most one call returns. */
export const PAGE_SIZE = 2000;
/** Records per matching batch: one sObject Collections update's worth. */
export const BATCH_SIZE = 200;
/** Intercom's search lags behind changes by minutes ("a few minutes", API-FACTS): a contact changed
 * just before a poll may be missing from it, with its new updated_at. Each poll reaches back this far
 * before the previous poll's start, and matching drops what it has already seen. (The calendar-day
 * matching of updated_at is the connector's concern: it searches from the day before and reads the
 * newest first, stopping at the first contact older than asked.) */
export const IC_SEARCH_LAG_SECONDS = 600;
export const DEFAULT_POLL_INTERVAL_SECONDS = 300;
/** Id below every real Salesforce Id: the first cursor takes every record of its instant. */
export const ZERO_ID = '000000000000000';

export function splitBatches<T>(items: readonly T[], size = BATCH_SIZE): T[][] {
  if (!Number.isInteger(size) || size < 1) throw new Error(`batch size must be a positive integer, got ${size}`);
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

/** Bulk batch ids: the coordinator counts completion per batch, so they must be stable. */
export function bulkBatchId(object: SfObject, page: number, i: number): string {
  return `${object}:${page}:${i}`;
}

export const bulkMsgIds = {
  match: (run: string, batchId: string) => `match:${run}:${batchId}`,
  nextScan: (run: string, object: SfObject, page: number) => `scan:${run}:${object}:${page + 1}`,
  scanned: (run: string, object: SfObject, page: number) => `scanned:${run}:${object}:${page}`,
};

function shortHash(text: string): string {
  return createHash('sha1').update(text).digest('hex').slice(0, 16);
}

/** Event batches have no run: an id from what the batch carries (each record's Id and stamp) is
 * the same on a redelivery, whose duplicates are then dropped by message id, and differs when a
 * poll reads on from the same cursor and finds more (a second still open at the last poll). */
export function changeBatchId(object: SfObject, records: readonly { Id: string; SystemModstamp?: string }[]): string {
  return `evt:${object}:${shortHash(records.map((r) => `${r.Id}@${r.SystemModstamp ?? ''}`).join(','))}`;
}

export function nextChangesMsgId(object: SfObject, after: SfChangeCursor): string {
  return `chg:${object}:${shortHash(`${after.modstamp}/${after.id}`)}`;
}

/** A poll the clock asked for: two leaders overlapping in a hand-over ask once a second at most. */
export function pollMsgId(what: 'salesforce' | 'intercom', atMs: number): string {
  return `poll:${what}:${Math.floor(atMs / 1000)}`;
}

export function icBatchMsgId(tick: number, since: number, i: number): string {
  return `icpoll:${tick}:${since}:${i}`;
}

/** Epoch ms of a Salesforce date-time (`2024-01-01T00:00:00.000+0000`). */
export function stampMs(stamp: string): number {
  return Date.parse(stamp.replace(/\+0000$/, 'Z'));
}

/** Orders change cursors as the query does: by SystemModstamp, then Id. */
export function compareCursors(a: SfChangeCursor, b: SfChangeCursor): number {
  const [ta, tb] = [stampMs(a.modstamp), stampMs(b.modstamp)];
  if (ta !== tb) return ta < tb ? -1 : 1;
  return a.id === b.id ? 0 : a.id < b.id ? -1 : 1;
}

export function laterCursor(a: SfChangeCursor, b: SfChangeCursor): SfChangeCursor {
  return compareCursors(a, b) >= 0 ? a : b;
}

/** Without the service's clock, seconds this far behind ours count as closed. */
export const OPEN_SECOND_MARGIN_MS = 2_000;

/**
 * How far a poll that read `records` after `from` may move the stored cursor: past the records of
 * closed seconds only. SystemModstamp has whole seconds, so a write later in a second that is still
 * running gets the same stamp, and may have a lower Id than a record already read: a cursor past
 * that record would never see it. The service's clock (its answer's Date header) says which
 * seconds are over; the records of the second still running are passed on now, and read again by
 * the next poll, which finds any such late write with them.
 */
export function storableCursor(
  records: readonly { Id: string; SystemModstamp?: string }[],
  from: SfChangeCursor,
  serverTimeMs: number | null,
  nowMs: number,
): SfChangeCursor {
  const openFrom = Math.floor((serverTimeMs ?? nowMs - OPEN_SECOND_MARGIN_MS) / 1000) * 1000;
  let out = from;
  for (const r of records) {
    const stamp = String(r.SystemModstamp);
    if (stampMs(stamp) >= openFrom) break;
    out = { modstamp: stamp, id: r.Id };
  }
  return out;
}

/** Salesforce's own date-time form, e.g. 2024-01-01T00:00:00.000+0000. */
export function sfDateTime(ms: number): string {
  return new Date(ms).toISOString().replace('Z', '+0000');
}

/** The first poll of a workspace starts from now: the org as it stands is not a change. Now's
 * second, not its millisecond: SystemModstamp has whole seconds, so a record written later in
 * this same second carries this second's stamp and must still come after the cursor. */
export function startCursor(nowMs: number): SfChangeCursor {
  return { modstamp: sfDateTime(Math.floor(nowMs / 1000) * 1000), id: ZERO_ID };
}

export type { IcCursor };

export function icStart(nowMs: number): IcCursor {
  return { since: Math.floor(nowMs / 1000) };
}

/** Where an Intercom poll searches from, given the cursor (the previous poll's start). */
export function icSearchFrom(cursor: IcCursor): number {
  return Math.max(0, cursor.since - IC_SEARCH_LAG_SECONDS);
}

/** A stored change cursor (protocol/kv-values.ts): where the next poll reads on from, and when
 * the last poll began. */
export type StoredCursor = SfCursor;

/** A Salesforce change event, as far as deciding whether to poll goes. */
export interface ChangeEventFacts {
  object: SfObject;
  changeType: string;
  changedFields: readonly string[];
  commitUser: string;
}

/**
 * Whether a change event can matter to the sync, so that a poll of its object is worth a call.
 * Not a change peoplesync made itself (the writer knows what it wrote, and nothing else changed
 * in that transaction); not of an object no mapping names; not an update touching none of the
 * fields the sync reads. A creation or a deletion always matters.
 */
export function eventMatters(e: ChangeEventFacts, me: string | null, fieldsRead: (object: SfObject) => readonly string[] | null): boolean {
  if (me !== null && e.commitUser === me) return false;
  const fields = fieldsRead(e.object);
  if (fields === null) return false;
  if (e.changeType !== 'UPDATE') return true;
  const read = new Set(fields.map((f) => f.toLowerCase()));
  return e.changedFields.some((f) => read.has(f.toLowerCase()));
}
