// What the actors of one workspace share about it: its settings (current, and by revision, which
// never change once written), the facts of its bulk runs (the settings revision each started
// with, dry run), and what follows from them for one work item. Each actor's activation owns one
// (`init` makes it), so its caches live exactly as long as the activation and never leak between
// two systems in one process.
import { RunSchema, PermanentError, Keys, kvValue } from '../../protocol/index.ts';
import { type ActorContext, RunInactiveError } from '../../runtime/index.ts';
import { type MatchKey, matchKeyOf } from './identity.ts';
import { type StoredSettings, readSettings } from './settings-store.ts';
import { type WorkspaceSettings, WorkspaceSettingsSchema } from '../../protocol/index.ts';

export interface RunFacts {
  runId: string;
  settingsRevision: number;
  dryRun: boolean;
  startedAt: number;
}

/** The settings a work item runs with: a bulk item those its run started with, anything else the
 * current ones. */
export interface ItemSettings {
  settings: WorkspaceSettings;
  revision: number;
  dryRun: boolean;
  run: RunFacts | null;
  key: MatchKey;
}

/** Entries kept per cache; a workspace has few revisions and runs in use at once. */
const MAX_CACHED = 64;

export class WorkspaceFacts {
  private readonly byRevision = new Map<number, StoredSettings>();
  private readonly runs = new Map<string, RunFacts>();
  private readonly ctx: Pick<ActorContext, 'ws' | 'kv'>;

  constructor(ctx: Pick<ActorContext, 'ws' | 'kv'>) {
    this.ctx = ctx;
  }

  get ws(): string {
    return this.ctx.ws;
  }

  /** The settings as they are now (null: never saved). Not cached: a save changes them. */
  async current(): Promise<StoredSettings | null> {
    return readSettings(await this.ctx.kv('settings'), this.ctx.ws);
  }

  /** Calls `onChange` with the settings now and at every save (null: none, or unreadable); returns
   * how to stop watching. For a long-lived part of an activation (the poll clock, change events). */
  async watch(onChange: (s: WorkspaceSettings | null) => void): Promise<() => void> {
    return (await this.ctx.kv('settings')).watch(Keys.settings(this.ctx.ws), (_key, value) => {
      onChange(kvValue(WorkspaceSettingsSchema, value));
    });
  }

  /** The settings of one revision; fails when the bucket no longer keeps it. */
  async atRevision(revision: number): Promise<StoredSettings> {
    let s = this.byRevision.get(revision);
    if (!s) {
      const found = await readSettings(await this.ctx.kv('settings'), this.ctx.ws, revision);
      if (!found || found.revision !== revision) throw new Error(`settings revision ${revision} of workspace ${this.ctx.ws} is not stored`);
      s = found;
      if (this.byRevision.size >= MAX_CACHED) this.byRevision.clear();
      this.byRevision.set(revision, s);
    }
    return s;
  }

  /** What a run was started with; a run not recorded is treated as ended. */
  async run(runId: string): Promise<RunFacts> {
    let facts = this.runs.get(runId);
    if (!facts) {
      const stored = await (await this.ctx.kv('runs')).getRaw(Keys.run(this.ctx.ws, runId));
      const r = kvValue(RunSchema, stored?.value);
      if (!r) throw new RunInactiveError(`run ${runId} of workspace ${this.ctx.ws} is not recorded`);
      facts = { runId, settingsRevision: r.settingsRevision, dryRun: r.dryRun, startedAt: r.startedAt };
      if (this.runs.size >= MAX_CACHED) this.runs.clear();
      this.runs.set(runId, facts);
    }
    return facts;
  }

  async forItem(run?: string | null, revision?: number): Promise<ItemSettings> {
    if (revision !== undefined) return this.carried(revision, run);
    if (!run) {
      const current = await this.current();
      if (!current)
        throw new PermanentError(`workspace ${this.ctx.ws} has no settings: save settings before syncing`, {
          name: 'MissingSettingsError',
        });
      return {
        settings: current.settings,
        revision: current.revision,
        dryRun: false,
        run: null,
        key: matchKeyOf(current.settings.matching?.key),
      };
    }
    const facts = await this.run(run);
    const { settings } = await this.atRevision(facts.settingsRevision);
    return { settings, revision: facts.settingsRevision, dryRun: facts.dryRun, run: facts, key: matchKeyOf(settings.matching?.key) };
  }

  /** The settings of the revision an item carries (its run's, or the current ones when it was
   * published); a bulk item's run gives whether it is a dry run. */
  private async carried(revision: number, run?: string | null): Promise<ItemSettings> {
    const facts = run ? await this.run(run) : null;
    const { settings } = await this.atRevision(revision);
    return { settings, revision, dryRun: facts?.dryRun ?? false, run: facts, key: matchKeyOf(settings.matching?.key) };
  }
}
