// Reading Salesforce: a bulk run's pages by Id keyset, and changes after the workspace's cursor.
// A mapped field Salesforce no longer has is left out of the reads and reported once.
import type { SfChangeCursor } from '../../connectors/index.ts';
import { type BodyOf, Keys, MatchRecords, PageScanned, ScanChanges, ScanPage } from '../../protocol/index.ts';
import { type HandlerContext, KvConflictError } from '../../runtime/index.ts';
import { type WorkspaceFacts, fieldsToRead } from '../domain/index.ts';
import { readWithoutRefused, refusedFor, reportRefused } from '../refused-fields.ts';
import { PAGE_SIZE, bulkBatchId, bulkMsgIds, changeBatchId, isSfCursor, nextChangesMsgId, splitBatches, startCursor } from './plan.ts';

/** One page of a bulk run: its batches to matching, the next page, then the report. */
export async function handleScanPage(body: BodyOf<typeof ScanPage>, ctx: HandlerContext, facts: WorkspaceFacts): Promise<void> {
  const { run, object, page } = body;
  const fields = fieldsToRead(object, await facts.forRun(run));
  const sf = ctx.deps.salesforce(ctx.ws);
  const read = await readWithoutRefused(
    object,
    fields,
    (f) => ctx.withTokens('bulk', 1, () => sf.readPage(object, f, { afterId: body.afterId ?? undefined, limit: PAGE_SIZE })),
    refusedFor(sf),
    (r) => reportRefused(ctx, r),
  );
  // The next read starts while this page's batches are on their way.
  if (!read.done && read.lastId) {
    await ctx.publish(ScanPage, { run, object, page: page + 1, afterId: read.lastId }, { msgId: bulkMsgIds.nextScan(run, object, page) });
  }
  const batches = splitBatches(read.records);
  const batchIds = batches.map((_, i) => bulkBatchId(object, page, i));
  await Promise.all(
    batches.map((records, i) =>
      ctx.publish(MatchRecords, { run, batchId: batchIds[i], object, records }, { msgId: bulkMsgIds.match(run, batchIds[i]) }),
    ),
  );
  await ctx.publish(
    PageScanned,
    { run, object, page, records: read.records.length, batchIds, last: read.done },
    {
      msgId: bulkMsgIds.scanned(run, object, page),
    },
  );
}

/** Changes after the cursor to matching; the cursor moves only after they are published, by
 * compare-and-set, so a concurrent or redelivered poll neither skips nor repeats a change. */
export async function handleScanChanges(body: BodyOf<typeof ScanChanges>, ctx: HandlerContext, facts: WorkspaceFacts): Promise<void> {
  const { object } = body;
  const kv = await ctx.kv('cursors');
  const key = Keys.sfCursor(ctx.ws, object);
  const stored = await kv.getRaw(key);
  if (!stored || !isSfCursor(stored.value)) {
    await startFromNow(ctx, key, stored?.revision);
    return;
  }
  const { settings } = await facts.forItem();
  const after: SfChangeCursor = stored.value;
  const sf = ctx.deps.salesforce(ctx.ws);
  const page = await readWithoutRefused(
    object,
    fieldsToRead(object, settings),
    (f) => ctx.withTokens('event', 1, () => sf.readChanges(object, f, after, PAGE_SIZE)),
    refusedFor(sf),
    (r) => reportRefused(ctx, r),
  );
  const batches = splitBatches(page.records);
  await Promise.all(
    batches.map((records, i) => {
      const batchId = changeBatchId(object, after, i);
      return ctx.publish(MatchRecords, { batchId, object, records }, { cls: 'event', msgId: `match:${batchId}` });
    }),
  );
  if (!page.records.length || !page.cursor) return;
  try {
    await kv.update(key, page.cursor, stored.revision);
  } catch (err) {
    if (err instanceof KvConflictError) return; // another poll moved it: it carries on from there
    throw err;
  }
  ctx.log.debug({ object, changes: page.records.length }, 'salesforce changes read');
  if (!page.done)
    await ctx.publish(ScanChanges, { object, tick: body.tick }, { cls: 'event', msgId: nextChangesMsgId(object, page.cursor) });
}

async function startFromNow(ctx: HandlerContext, key: string, revision: number | undefined): Promise<void> {
  const kv = await ctx.kv('cursors');
  const cursor = startCursor(ctx.deps.now());
  try {
    if (revision) await kv.update(key, cursor, revision);
    else await kv.create(key, cursor);
    ctx.log.info({ key, from: cursor.modstamp }, 'first Salesforce change poll: starting from now');
  } catch (err) {
    if (!(err instanceof KvConflictError)) throw err;
  }
}
