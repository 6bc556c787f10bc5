// Reading Salesforce for a bulk run: its pages by Id keyset. A mapped field Salesforce no longer
// has is left out of the reads and reported once.
import { type BodyOf, MatchRecords, PageScanned, ScanPage } from '../../protocol/index.ts';
import type { HandlerContext } from '../../runtime/index.ts';
import type { Uses } from '../services.ts';
import { type WorkspaceFacts, fieldsToRead } from '../domain/index.ts';
import { readWithoutRefused, refusedFor, reportRefused } from '../refused-fields.ts';
import { PAGE_SIZE, bulkBatchId, bulkMsgIds, splitBatches } from './plan.ts';

type Ctx = HandlerContext<Uses<'salesforce' | 'now'>>;

/** One page of a bulk run: its batches to matching, the next page, then the report. */
export async function handleScanPage(body: BodyOf<typeof ScanPage>, ctx: Ctx, facts: WorkspaceFacts): Promise<void> {
  const { run, settingsRevision, object, page } = body;
  const fields = fieldsToRead(object, (await facts.atRevision(settingsRevision)).settings);
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
    await ctx.publish(
      ScanPage,
      { run, settingsRevision, object, page: page + 1, afterId: read.lastId },
      { msgId: bulkMsgIds.nextScan(run, object, page) },
    );
  }
  const batches = splitBatches(read.records);
  const batchIds = batches.map((_, i) => bulkBatchId(object, page, i));
  await Promise.all(
    batches.map((records, i) =>
      ctx.publish(
        MatchRecords,
        { run, batchId: batchIds[i], settingsRevision, object, records },
        { msgId: bulkMsgIds.match(run, batchIds[i]) },
      ),
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
