// The settings a polling item reads with: a bulk page those its run started with, a change poll
// the current ones. Revisions never change once written, so they are cached per KV handle (two
// systems in one process never share a cache).
import { RunSchema, WorkspaceSettingsSchema, type WorkspaceSettings } from '../../protocol/index.ts';
import { type ActorContext, RunInactiveError, type TypedKv, runKey } from '../../runtime/index.ts';
import { SettingsCache, readSettings } from '../mapping/index.ts';

export class NoSettingsError extends Error {
  override name = 'NoSettingsError';
  readonly retryable = false;
}

const caches = new WeakMap<TypedKv, SettingsCache>();
const revisions = new WeakMap<TypedKv, Map<string, number>>();

async function revisionOfRun(ctx: ActorContext, run: string): Promise<number> {
  const kv = await ctx.kv('runs');
  let known = revisions.get(kv);
  if (!known) revisions.set(kv, (known = new Map()));
  const key = `${ctx.ws}/${run}`;
  let rev = known.get(key);
  if (rev === undefined) {
    const parsed = RunSchema.safeParse((await kv.getRaw(runKey(ctx.ws, run)))?.value);
    if (!parsed.success) throw new RunInactiveError(`run ${run} of workspace ${ctx.ws} is not recorded`);
    rev = parsed.data.settingsRevision;
    if (known.size > 64) known.clear();
    known.set(key, rev);
  }
  return rev;
}

export async function settingsForRun(ctx: ActorContext, run: string): Promise<WorkspaceSettings> {
  const rev = await revisionOfRun(ctx, run);
  const kv = await ctx.kv('settings');
  let cache = caches.get(kv);
  if (!cache) caches.set(kv, (cache = new SettingsCache(async () => kv)));
  return (await cache.get(ctx.ws, rev)).settings;
}

export async function currentSettings(ctx: ActorContext): Promise<WorkspaceSettings | null> {
  return (await readSettings(await ctx.kv('settings'), ctx.ws))?.settings ?? null;
}

/** Calls `onChange` with the workspace's settings now and at every save (null: none or unreadable);
 * returns how to stop watching. */
export async function watchSettings(ctx: ActorContext, onChange: (s: WorkspaceSettings | null) => void): Promise<() => void> {
  return (await ctx.kv('settings')).watch(ctx.ws, (_key, value) => {
    const parsed = WorkspaceSettingsSchema.safeParse(value);
    onChange(parsed.success ? parsed.data : null);
  });
}
