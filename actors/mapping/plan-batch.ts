// A batch of matched pairs turned into what the mapping actor sends on: write parts of at most
// 200 records per system, one sync error per conversion failure, the pairs that need nothing
// (their old sync errors resolve), and the counts the coordinator adds up. Pure: no I/O.
import type { IcContact, SfRecord } from '../../connectors/types.ts';
import type { z } from 'zod';
import type {
  Change,
  DiffSampleSchema,
  Direction,
  ErrorCause,
  IcUpdateSchema,
  Mapping,
  PairSchema,
  SfUpdateSchema,
} from '../../protocol/index.ts';
import { syncErrorCause } from './convert.ts';
import { diffPair, type ConversionFailure, type DiffContext, type DiffFailureCause, type PairDiff } from './diff.ts';

export type Pair = z.infer<typeof PairSchema>;
export type SfUpdate = z.input<typeof SfUpdateSchema>;
export type IcUpdate = z.input<typeof IcUpdateSchema>;
export type DiffSample = z.input<typeof DiffSampleSchema>;

/** Records per write item: one sObject Collections call takes at most 200. */
export const MAX_PART_RECORDS = 200;
export const MAX_SAMPLES = 5;

export interface PairFailure {
  pair: Pair;
  failure: ConversionFailure;
}

/** A pair (or one direction of it) that needs no write and failed nothing: its errors resolve. */
export interface Resolution {
  sfId: string;
  icId: string;
  direction: Direction | null;
}

export interface BatchPlan {
  sfParts: SfUpdate[][];
  icParts: IcUpdate[][];
  failures: PairFailure[];
  resolved: Resolution[];
  inCommon: number;
  unchanged: number;
  failed: number;
  wouldUpdate: { salesforce: number; intercom: number };
  sample: DiffSample[];
}

export interface PlanOptions {
  dryRun: boolean;
  maxPartRecords?: number;
}

export function chunk<T>(items: readonly T[], size: number): T[][] {
  if (!(size >= 1)) throw new RangeError(`chunk size must be >= 1, got ${size}`);
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

function diffOf(pair: Pair, mappings: readonly Mapping[], ctx: DiffContext): PairDiff {
  const sf = { ...pair.sf, object: pair.object } as SfRecord & { object: Pair['object'] };
  return diffPair({ sf, ic: pair.ic as unknown as IcContact }, mappings, ctx);
}

/** Directions of a pair whose errors go away: nothing to write that way and nothing failed. */
function resolutionsOf(pair: Pair, d: PairDiff): Resolution[] {
  const clean = (dir: Direction, changes: readonly Change[]) => changes.length === 0 && !d.failures.some((f) => f.direction === dir);
  const toSf = clean('intercom_to_salesforce', d.toSalesforce.changes);
  const toIc = clean('salesforce_to_intercom', d.toIntercom.changes);
  const ids = { sfId: pair.sf.Id, icId: pair.ic.id };
  if (toSf && toIc) return [{ ...ids, direction: null }];
  if (toSf) return [{ ...ids, direction: 'intercom_to_salesforce' }];
  if (toIc) return [{ ...ids, direction: 'salesforce_to_intercom' }];
  return [];
}

/** Diffs every pair of a batch and groups the results for publishing. */
export function planBatch(pairs: readonly Pair[], mappings: readonly Mapping[], ctx: DiffContext, opts: PlanOptions): BatchPlan {
  const sfUpdates: SfUpdate[] = [];
  const icUpdates: IcUpdate[] = [];
  const plan: BatchPlan = {
    sfParts: [],
    icParts: [],
    failures: [],
    resolved: [],
    inCommon: pairs.length,
    unchanged: 0,
    failed: 0,
    wouldUpdate: { salesforce: 0, intercom: 0 },
    sample: [],
  };
  for (const pair of pairs) {
    const d = diffOf(pair, mappings, ctx);
    const sfChanges = d.toSalesforce.changes;
    const icChanges = d.toIntercom.changes;
    for (const failure of d.failures) plan.failures.push({ pair, failure });
    if (d.failures.length > 0) plan.failed += 1;
    else if (sfChanges.length === 0 && icChanges.length === 0) plan.unchanged += 1;
    plan.resolved.push(...resolutionsOf(pair, d));
    if (sfChanges.length > 0) {
      sfUpdates.push({ object: pair.object, id: pair.sf.Id, fields: d.toSalesforce.fields, icId: pair.ic.id, changes: sfChanges });
    }
    if (icChanges.length > 0) {
      icUpdates.push({ id: pair.ic.id, patch: { ...d.toIntercom.patch }, sfObject: pair.object, sfId: pair.sf.Id, changes: icChanges });
    }
    if (opts.dryRun && (sfChanges.length > 0 || icChanges.length > 0) && plan.sample.length < MAX_SAMPLES) {
      plan.sample.push({ sfObject: pair.object, sfId: pair.sf.Id, icId: pair.ic.id, changes: [...sfChanges, ...icChanges] });
    }
  }
  if (opts.dryRun) {
    plan.wouldUpdate = { salesforce: sfUpdates.length, intercom: icUpdates.length };
  } else {
    const size = opts.maxPartRecords ?? MAX_PART_RECORDS;
    plan.sfParts = chunk(sfUpdates, size);
    plan.icParts = chunk(icUpdates, size);
  }
  return plan;
}

const NOT_CONVERSIONS: ReadonlySet<DiffFailureCause> = new Set(['unknown_sf_field', 'unknown_ic_attribute', 'field_not_loaded']);

/** The cause a sync error records for a diff failure. */
export function failureCause(cause: DiffFailureCause): ErrorCause {
  if (NOT_CONVERSIONS.has(cause)) return 'other';
  return syncErrorCause(cause as Parameters<typeof syncErrorCause>[0]);
}

/** The attribute a failure could not write: the target of its mapping. */
export function failedAttribute(f: ConversionFailure): string {
  return f.direction === 'intercom_to_salesforce' ? f.sfField : f.icAttribute;
}
