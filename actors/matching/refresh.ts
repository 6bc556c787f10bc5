// IndexRefresh: one Intercom list page per work item, each naming the next, so a refresh of any
// size is a chain of small idempotent steps. The next page is sent on as soon as this one is
// listed, so pages are indexed side by side. Each page records which contacts it listed, before
// and after indexing them; the last page waits for every page to be indexed, then sweeps out
// entries that earlier refreshes or events put in the index and no page of this run listed
// (contacts deleted in Intercom) and their links, except entries written after the run began
// (an event may have added one). See directory.ts.
import { type BodyOf, IndexPageListed, IndexRefresh, IndexRefreshed, RetryableError } from '../../protocol/index.ts';
import type { HandlerContext } from '../../runtime/index.ts';
import type { Uses } from '../services.ts';
import type { WorkspaceFacts } from '../domain/index.ts';
import { RefreshPages } from './directory.ts';
import { type Stores, storesFor } from './resolve.ts';

type Ctx = HandlerContext<Uses<'intercom' | 'now'>>;

export const INDEX_PAGE_SIZE = 150;

export async function handleIndexRefresh(body: BodyOf<typeof IndexRefresh>, ctx: Ctx, facts: WorkspaceFacts): Promise<void> {
  const item = await facts.forItem(body.run);
  const stores = await storesFor(ctx);
  const pages = new RefreshPages(stores.index.kv, ctx.ws);
  if (body.page === 0) await pages.begin(body.run);
  const page = await ctx.deps.intercom(ctx.ws).listContactsPage(body.cursor ?? undefined, INDEX_PAGE_SIZE);
  if (page.next) {
    await ctx.publish(
      IndexRefresh,
      { run: body.run, page: body.page + 1, cursor: page.next },
      { msgId: `idx:${body.run}:${body.page + 1}` },
    );
  }
  const ids = page.contacts.map((c) => c.id);
  await pages.put(body.run, body.page, ids, false);
  await stores.index.upsert(page.contacts, item.key, ctx.deps.now(), 'changed', { listed: true });
  await pages.put(body.run, body.page, ids, true);
  // Progress of the index phase, against the total Intercom reports.
  await ctx.publish(
    IndexPageListed,
    { run: body.run, page: body.page, contacts: ids.length, total: page.totalCount },
    { msgId: `idxpage:${body.run}:${body.page}` },
  );
  if (page.next) return;
  const listed = await allPages(pages, ctx, body.run, body.page + 1);
  const contacts = await sweep(stores, pages, ctx, body.run, listed, item.run?.startedAt ?? 0);
  await pages.complete(body.run, body.page + 1);
  await ctx.publish(IndexRefreshed, { run: body.run, contacts, pages: body.page + 1 }, { msgId: `idxdone:${body.run}` });
}

const PAGE_WAIT_MS = 120_000;

/** Every page's record, once the pages still being indexed beside this last one have finished. */
async function allPages(pages: RefreshPages, ctx: Ctx, run: string, count: number): Promise<string[][]> {
  const deadline = Date.now() + PAGE_WAIT_MS;
  for (;;) {
    const listed = await pages.seen(run, count);
    const missing = listed.flatMap((ids, p) => (ids === null ? [p] : []));
    if (missing.length === 0) return listed as string[][];
    // Without every page the sweep would take listed contacts for deleted ones.
    if (Date.now() > deadline || ctx.signal.aborted) {
      throw new RetryableError(`refresh ${run}: pages ${missing.slice(0, 10).join(', ')} not indexed after ${PAGE_WAIT_MS / 1000} s`, {
        name: 'RefreshIncompleteError',
      });
    }
    ctx.working();
    await new Promise((r) => setTimeout(r, 200));
  }
}

/** Drops what the run did not see; returns how many contacts it saw. */
async function sweep(stores: Stores, pages: RefreshPages, ctx: Ctx, run: string, listed: string[][], startedAt: number): Promise<number> {
  const seen = new Set<string>();
  for (const ids of listed) for (const id of ids) seen.add(id);
  const sharded = await stores.index.directory.all();
  const named = new Set([...(await pages.earlier(run)), ...sharded]);
  const unseen = [...named].filter((id) => !seen.has(id));
  const entries = await stores.index.entries(unseen);
  const gone = [...entries.values()].filter((e) => e.indexedAt < startedAt).map((e) => e.id);
  const goneSet = new Set(gone);
  const inShards = new Set(sharded);
  // The shards keep only what this run's pages do not name: entries written since it began.
  await stores.index.directory.remove(sharded.filter((id) => seen.has(id) || !entries.has(id)));
  await stores.index.directory.add([...entries.keys()].filter((id) => !goneSet.has(id) && !inShards.has(id)));
  for (let i = 0; i < gone.length; i += 200) {
    const chunk = gone.slice(i, i + 200);
    await stores.links.dropContacts(chunk);
    await stores.index.remove(chunk);
    ctx.working();
  }
  if (gone.length) ctx.log.info({ removed: gone.length }, 'index entries of deleted Intercom contacts removed');
  return seen.size;
}
