// The settings a work item runs with: a bulk item those its run started with (and the run's dry
// run flag), anything else the current ones. Runs and revisions never change once written, so
// both are cached; caches hang off the KV handle, so two systems in one process never share one.
import { RunSchema, type WorkspaceSettings } from '../../protocol/index.ts';
import { type ActorContext, RunInactiveError, type TypedKv, runKey } from '../../runtime/index.ts';
import { SettingsCache, readSettings } from '../mapping/index.ts';
import { type MatchKey, matchKeyOf } from './entry.ts';

export interface RunFacts {
  runId: string;
  settingsRevision: number;
  dryRun: boolean;
  startedAt: number;
}

export interface ItemSettings {
  settings: WorkspaceSettings;
  revision: number;
  dryRun: boolean;
  run: RunFacts | null;
  key: MatchKey;
}

export class MissingSettingsError extends Error {
  override name = 'MissingSettingsError';
  readonly retryable = false;
}

const MAX_RUNS = 64;

export class SettingsSource {
  private readonly caches = new WeakMap<TypedKv, SettingsCache>();
  private readonly runs = new WeakMap<TypedKv, Map<string, RunFacts>>();

  async forItem(ctx: ActorContext, run?: string | null): Promise<ItemSettings> {
    if (!run) {
      const current = await readSettings(await ctx.kv('settings'), ctx.ws);
      if (!current) throw new MissingSettingsError(`workspace ${ctx.ws} has no settings: save settings before syncing`);
      return {
        settings: current.settings,
        revision: current.revision,
        dryRun: false,
        run: null,
        key: matchKeyOf(current.settings.matching?.key),
      };
    }
    const facts = await this.run(ctx, run);
    const { settings } = await (await this.cache(ctx)).get(ctx.ws, facts.settingsRevision);
    return { settings, revision: facts.settingsRevision, dryRun: facts.dryRun, run: facts, key: matchKeyOf(settings.matching?.key) };
  }

  private async cache(ctx: ActorContext): Promise<SettingsCache> {
    const kv = await ctx.kv('settings');
    let c = this.caches.get(kv);
    if (!c) this.caches.set(kv, (c = new SettingsCache(async () => kv)));
    return c;
  }

  private async run(ctx: ActorContext, runId: string): Promise<RunFacts> {
    const kv = await ctx.kv('runs');
    let byId = this.runs.get(kv);
    if (!byId) this.runs.set(kv, (byId = new Map()));
    const key = `${ctx.ws}/${runId}`;
    let facts = byId.get(key);
    if (!facts) {
      const stored = await kv.getRaw(runKey(ctx.ws, runId));
      const parsed = RunSchema.safeParse(stored?.value);
      if (!parsed.success) throw new RunInactiveError(`run ${runId} of workspace ${ctx.ws} is not recorded`);
      const r = parsed.data;
      facts = { runId, settingsRevision: r.settingsRevision, dryRun: r.dryRun, startedAt: r.startedAt };
      if (byId.size >= MAX_RUNS) byId.clear();
      byId.set(key, facts);
    }
    return facts;
  }
}
