// MatchRecords: a batch of Salesforce records (a bulk page slice, or polled changes) joined with
// the index, then on to mapping.
import type { SfObject } from '../../connectors/index.ts';
import { type BodyOf, type MatchRecords } from '../../protocol/index.ts';
import type { HandlerContext } from '../../runtime/index.ts';
import type { Uses } from '../services.ts';
import type { WorkspaceFacts } from '../domain/index.ts';
import { tally } from './join.ts';
import { publishBatch } from './publish.ts';
import { type VerifyRecords, matchBatch, storesFor } from './resolve.ts';

type Ctx = HandlerContext<Uses<'salesforce' | 'now'>>;

/** Asks Salesforce which of the records still exist: one query call per 200 Ids, under tokens. */
export function verifier(ctx: Ctx): VerifyRecords {
  return async (object: SfObject, sfIds: string[]) => {
    const calls = Math.ceil(sfIds.length / 200);
    const found = await ctx.withTokens(ctx.cls, calls, () => ctx.deps.salesforce(ctx.ws).readByIds(object, ['Id'], sfIds));
    return new Set(found.map((r) => r.Id));
  };
}

export async function handleMatchRecords(body: BodyOf<typeof MatchRecords>, ctx: Ctx, facts: WorkspaceFacts): Promise<void> {
  const item = await facts.forItem(body.run, body.settingsRevision);
  const stores = await storesFor(ctx);
  const outcomes = await matchBatch(stores, body.object, body.records, item.key, { verify: verifier(ctx) });
  await publishBatch(ctx, {
    run: body.run,
    batchId: body.batchId,
    item,
    tally: tally(outcomes, item.settings.matching.duplicatePolicy),
    scanned: body.records.length,
    always: body.run !== undefined,
  });
}
