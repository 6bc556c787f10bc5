// Reading Intercom changes: contacts updated since the last poll (reaching back over search's lag),
// newest first, in batches to matching, which drops what it has seen.
import { type BodyOf, IcCursorSchema, Keys, MatchContacts, type PollIntercom, kvValue } from '../../protocol/index.ts';
import { type HandlerContext, KvConflictError } from '../../runtime/index.ts';
import { BATCH_SIZE, icBatchMsgId, icSearchFrom, icStart, splitBatches } from './plan.ts';
import type { Uses } from '../services.ts';

type Ctx = HandlerContext<Uses<'intercom' | 'now'>>;

export async function handlePollIntercom(body: BodyOf<typeof PollIntercom>, ctx: Ctx): Promise<void> {
  const kv = await ctx.kv('cursors');
  const key = Keys.icCursor(ctx.ws);
  const stored = await kv.getRaw(key);
  const startedAt = icStart(ctx.deps.now());
  // A cursor not of its schema is replaced, as a missing one is, by one at now.
  const cursor = kvValue(IcCursorSchema, stored?.value);
  if (!stored || !cursor) {
    try {
      if (stored) await kv.update(key, startedAt, stored.revision);
      else await kv.create(key, startedAt);
      ctx.log.info({ since: startedAt.since }, 'first Intercom change poll: starting from now');
    } catch (err) {
      if (!(err instanceof KvConflictError)) throw err;
    }
    return;
  }
  const since = icSearchFrom(cursor);
  const ic = ctx.deps.intercom(ctx.ws);
  let n = 0;
  let contacts = 0;
  for await (const page of ic.searchUpdatedSince(since)) {
    for (const batch of splitBatches(page, BATCH_SIZE)) {
      await ctx.publish(MatchContacts, { contacts: batch, source: 'poll' }, { cls: 'event', msgId: icBatchMsgId(body.tick, since, n++) });
      contacts += batch.length;
    }
    ctx.working();
  }
  try {
    await kv.update(key, startedAt, stored.revision);
  } catch (err) {
    if (!(err instanceof KvConflictError)) throw err;
  }
  ctx.log.debug({ contacts, since }, 'intercom changes read');
}
