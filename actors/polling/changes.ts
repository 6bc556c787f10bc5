// Reading Salesforce changes: every object asked for in ONE call (a composite of their change
// queries: one call toward the limit however many objects), each from its own cursor, on to
// matching. A cursor moves only after its changes are published, by compare-and-set, so a
// concurrent or redelivered poll neither skips nor repeats one; it never moves into a second
// that is still running (plan.ts: storableCursor). An object polled since the item was asked for
// is not read again, and an object no mapping names is not read at all: nothing of it can sync.
import type { SfChangeCursor, SfChangePage, SfObject } from '../../connectors/index.ts';
import { type BodyOf, Keys, MatchRecords, ScanChanges, SfCursorSchema, type WorkspaceSettings, kvValue } from '../../protocol/index.ts';
import { type HandlerContext, KvConflictError, type KvValue, type TypedKv } from '../../runtime/index.ts';
import type { Uses } from '../services.ts';
import { type WorkspaceFacts, fieldsToRead } from '../domain/index.ts';
import { readAllWithoutRefused, refusedFor, reportRefused } from '../refused-fields.ts';
import {
  PAGE_SIZE,
  type StoredCursor,
  changeBatchId,
  laterCursor,
  nextChangesMsgId,
  splitBatches,
  startCursor,
  storableCursor,
} from './plan.ts';

type Ctx = HandlerContext<Uses<'salesforce' | 'now'>>;

type Body = BodyOf<typeof ScanChanges>;

interface Target {
  object: SfObject;
  from: SfChangeCursor;
  stored: KvValue<StoredCursor>;
}

/** The objects this item still has to read, each from where it reads on. Objects without a cursor
 * start one at now (the org as it stands is not a change) and are not read. */
async function targets(body: Body, ctx: Ctx, kv: TypedKv, settings: WorkspaceSettings): Promise<Target[]> {
  const out: Target[] = [];
  for (const object of body.objects) {
    if (!settings.mappings.some((m) => m.sfObject === object)) continue;
    const stored = await kv.getRaw(Keys.sfCursor(ctx.ws, object));
    // A cursor not of its schema is replaced, as a missing one is, by one at now.
    const cursor = kvValue(SfCursorSchema, stored?.value);
    if (!stored || !cursor) {
      await startFromNow(ctx, Keys.sfCursor(ctx.ws, object), stored?.revision);
      continue;
    }
    // A poll that began after this item was asked for has read everything it would.
    if (body.reason !== 'page' && (cursor.polledAt ?? -1) >= body.at) continue;
    out.push({
      object,
      from: body.after ?? { modstamp: cursor.modstamp, id: cursor.id },
      stored: { value: cursor, revision: stored.revision },
    });
  }
  return out;
}

export async function handleScanChanges(body: Body, ctx: Ctx, facts: WorkspaceFacts): Promise<void> {
  // The current settings (a change poll belongs to no run); none saved yet is permanent.
  const { settings, revision } = await facts.forItem();
  const kv = await ctx.kv('cursors');
  if ((await targets(body, ctx, kv, settings)).length === 0) return;
  const sf = ctx.deps.salesforce(ctx.ws);
  // Tokens first: an item that waited for them (event sync paused) looks again at what is left.
  await ctx.withTokens('event', 1, async () => {
    const todo = await targets(body, ctx, kv, settings);
    if (todo.length === 0) return;
    const startedAt = ctx.deps.now();
    const fieldsOf = Object.fromEntries(todo.map((t) => [t.object, fieldsToRead(t.object, settings)]));
    const read = await readAllWithoutRefused(
      fieldsOf,
      (fields) =>
        sf.readChangesTogether(todo.map((t) => ({ object: t.object, fields: fields[t.object], cursor: t.from, limit: PAGE_SIZE }))),
      refusedFor(sf),
      (r) => reportRefused(ctx, r),
    );
    for (const t of todo) {
      const page = read.pages[t.object] as SfChangePage;
      await publishChanges(ctx, t.object, page, revision);
      const cursor = laterCursor(t.stored.value, storableCursor(page.records, t.from, read.serverTime, ctx.deps.now()));
      const polledAt = body.reason === 'page' ? t.stored.value.polledAt : startedAt;
      if (!(await store(kv, Keys.sfCursor(ctx.ws, t.object), { ...cursor, polledAt }, t.stored.revision))) continue;
      ctx.log.debug({ object: t.object, changes: page.records.length }, 'salesforce changes read');
      // A full page: the rest comes in the next, read on from its last record.
      if (!page.done && page.cursor) {
        await ctx.publish(
          ScanChanges,
          { objects: [t.object], at: body.at, reason: 'page', after: page.cursor },
          { cls: 'event', msgId: nextChangesMsgId(t.object, page.cursor) },
        );
      }
    }
  });
}

/** `settingsRevision`: the settings the records were read with, which matching goes on with. */
async function publishChanges(ctx: Ctx, object: SfObject, page: SfChangePage, settingsRevision: number): Promise<void> {
  await Promise.all(
    splitBatches(page.records).map((records) => {
      const batchId = changeBatchId(object, records);
      return ctx.publish(MatchRecords, { batchId, settingsRevision, object, records }, { cls: 'event', msgId: `match:${batchId}` });
    }),
  );
}

/** False when another poll moved the cursor meanwhile: it carries on from there. */
async function store(kv: TypedKv, key: string, value: StoredCursor, revision: number): Promise<boolean> {
  try {
    await kv.update(key, value, revision);
    return true;
  } catch (err) {
    if (err instanceof KvConflictError) return false;
    throw err;
  }
}

async function startFromNow(ctx: Ctx, key: string, revision: number | undefined): Promise<void> {
  const kv = await ctx.kv('cursors');
  const cursor: StoredCursor = { ...startCursor(ctx.deps.now()), polledAt: ctx.deps.now() };
  try {
    if (revision) await kv.update(key, cursor, revision);
    else await kv.create(key, cursor);
    ctx.log.info({ key, from: cursor.modstamp }, 'first Salesforce change poll: starting from now');
  } catch (err) {
    if (!(err instanceof KvConflictError)) throw err;
  }
}
