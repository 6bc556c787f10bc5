// The polling actor's pure decisions: batch sizes and ids, message ids that make a redelivered
// item publish nothing new, poll ticks and where a first poll starts.
import { createHash } from 'node:crypto';
import type { SfChangeCursor, SfObject } from '../../connectors/index.ts';

/** Records per Salesforce query call: the most one call returns. */
export const PAGE_SIZE = 2000;
/** Records per matching batch: one sObject Collections update's worth. */
export const BATCH_SIZE = 200;
/** Intercom search matches updated_at by calendar day and lags behind changes by minutes, so an
 * incremental poll reaches back a day and matching drops what it has already seen. */
export const IC_OVERLAP_SECONDS = 86_400;
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

/** Event batches have no run; an id derived from the cursor they were read after is unique per
 * batch and the same on redelivery, so duplicates are dropped by their message id. */
export function changeBatchId(object: SfObject, after: SfChangeCursor, i: number): string {
  return `evt:${object}:${shortHash(`${after.modstamp}/${after.id}`)}:${i}`;
}

export function nextChangesMsgId(object: SfObject, after: SfChangeCursor): string {
  return `chg:${object}:${shortHash(`${after.modstamp}/${after.id}`)}`;
}

export function pollMsgId(what: 'Lead' | 'Contact' | 'intercom', tick: number): string {
  return `poll:${what}:${tick}`;
}

export function icBatchMsgId(tick: number, since: number, i: number): string {
  return `icpoll:${tick}:${since}:${i}`;
}

export function tickOf(nowMs: number, intervalSeconds: number): number {
  return Math.floor(nowMs / (intervalSeconds * 1000));
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

export interface IcCursor {
  since: number;
}

export function icStart(nowMs: number): IcCursor {
  return { since: Math.floor(nowMs / 1000) };
}

/** Where an Intercom poll searches from, given the cursor (the previous poll's start). */
export function icSearchFrom(cursor: IcCursor): number {
  return Math.max(0, cursor.since - IC_OVERLAP_SECONDS);
}

export function isSfCursor(v: unknown): v is SfChangeCursor {
  const c = v as SfChangeCursor | null;
  return !!c && typeof c.modstamp === 'string' && typeof c.id === 'string';
}

export function isIcCursor(v: unknown): v is IcCursor {
  return !!v && Number.isInteger((v as IcCursor).since);
}
