// What a matched batch sends on: ambiguous records as sync errors, then the pairs (with the
// batch's counts) to mapping. Message ids are deterministic, so a redelivered batch sends nothing
// twice.
import { type Direction, MapPairs, ReportSyncError } from '../../protocol/index.ts';
import type { HandlerContext } from '../../runtime/index.ts';
import type { Uses } from '../services.ts';
import type { ItemSettings } from '../domain/index.ts';
import type { Outcome, Tally } from './join.ts';
import { digest } from './keys.ts';

type Ctx = HandlerContext<Uses<'now'>>;

export interface BatchResult {
  run?: string;
  batchId: string;
  item: ItemSettings;
  tally: Tally;
  scanned: number;
  errorIds?: string[];
  /** A resync or retry's request, which mapping answers (so its batch is sent with `always`). */
  requestId?: string;
  /** Bulk batches always report (the run counts them), and a request is always answered; others
   * go on only when there is something to map. */
  always: boolean;
}

type Ambiguous = Extract<Outcome, { kind: 'ambiguous' }>;

/** An ambiguous match stops both directions; it is filed under one, so the same record found
 * ambiguous from either side (a bulk batch, a contact change) is one sync error, and it is the
 * direction the errors list shows first. */
export const AMBIGUOUS_DIRECTION: Direction = 'intercom_to_salesforce';

export function ambiguousMessage(o: Ambiguous): string {
  const object = o.object;
  const by = o.key === null ? 'its link' : 'its match key';
  if (o.side === 'intercom') {
    return `${object} ${o.sf.Id} matches ${o.candidates.intercom.length} Intercom contacts by ${by} (${o.candidates.intercom.join(', ')}): nothing was synced`;
  }
  return `Intercom contact ${o.candidates.intercom[0]} matches ${o.candidates.salesforce.length} Salesforce records (${o.candidates.salesforce.join(', ')}): nothing was synced`;
}

function ambiguousError(o: Ambiguous, r: BatchResult, ctx: Ctx) {
  return {
    syncType: ctx.cls,
    direction: AMBIGUOUS_DIRECTION,
    sfObject: o.object,
    sfId: o.sf.Id,
    icId: o.candidates.intercom.length === 1 ? o.candidates.intercom[0] : null,
    attributes: [],
    cause: 'ambiguous_match' as const,
    message: ambiguousMessage(o),
    details: { side: o.side, key: o.key, candidates: o.candidates },
    run: r.run ?? null,
    at: ctx.deps.now(),
  };
}

/** `evt:<hash>` of what a batch carries: the same content gets the same id on a redelivery. */
export function contentBatchId(prefix: string, content: unknown): string {
  return `${prefix}:${digest(JSON.stringify(content)).slice(0, 22)}`;
}

export async function publishBatch(ctx: Ctx, r: BatchResult): Promise<void> {
  const scope = r.run ?? ctx.cls;
  await Promise.all(
    r.tally.ambiguous.map((o) =>
      ctx.publish(ReportSyncError, ambiguousError(o, r, ctx), { msgId: `amb:${scope}:${r.batchId}:${o.sf.Id}` }),
    ),
  );
  if (!r.always && r.tally.matched.length === 0) return;
  await ctx.publish(
    MapPairs,
    {
      run: r.run,
      batchId: r.batchId,
      settingsRevision: r.item.revision,
      dryRun: r.item.dryRun,
      pairs: r.tally.matched.map((m) => ({ object: m.object, sf: m.sf, ic: m.entry.contact })),
      scanned: r.scanned,
      unmatched: r.tally.unmatched,
      ambiguous: r.tally.ambiguous.length,
      skipped: r.tally.skipped,
      errorIds: r.errorIds ?? [],
      ...(r.requestId === undefined ? {} : { requestId: r.requestId }),
    },
    { msgId: r.run ? `map:${r.run}:${r.batchId}` : `map:${r.batchId}` },
  );
}
