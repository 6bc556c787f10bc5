// The coordinator of one workspace while this process leads it: starts, stops and counts bulk
// runs, and keeps the runs bucket (what every process's RunGate reads) in step with LMDB.
import { randomBytes } from 'node:crypto';
import {
  type BodyOf,
  BulkFinished,
  BulkProgress,
  ControlError,
  IndexRefresh,
  NotifyRunFinished,
  QuotaUsageShow,
  type Run,
  RunSchema,
  ScanPage,
  type StopReasonSchema,
  type Tier,
  type WorkDeadLettered,
  consolePaths,
  consoleUrl,
  CurrentRunSchema,
  Keys,
  kvValue,
} from '../../protocol/index.ts';
import { failureOf } from '../../protocol/index.ts';
import { type ActorContext, type TypedKv } from '../../runtime/index.ts';
import { readSettings } from '../domain/index.ts';
import type { Uses } from '../services.ts';
import { RunRecords } from './records.ts';
import { COORDINATOR_LOST_DETAIL, applyTier, deadLetterDetail, endRun, makeRunId, newRun, newestFirst, withProgress } from './run-state.ts';
import type { RunStore } from './store.ts';
import { type Effect, type Report, type RunTally, isActive } from './tally.ts';
import type { z } from 'zod';

export type StopReason = z.infer<typeof StopReasonSchema>;

/** Progress is published more often than once a second so a watcher never waits longer. */
export const PROGRESS_INTERVAL_MS = 750;
const COUNT_RETRY_MAX_MS = 5_000;

/** The clock, and Salesforce for the run summary's figures. */
export type LeaderDeps = Uses<'now' | 'salesforce'>;

export class Leader {
  private readonly ctx: ActorContext<LeaderDeps>;
  private readonly store: RunStore;
  private currentRunId: string | null = null;
  private timer: NodeJS.Timeout | null = null;
  private chain: Promise<unknown> = Promise.resolve();
  private kvChain: Promise<unknown> = Promise.resolve();
  private readonly records: RunRecords;
  /** Runs being recounted, and those to recount once more when that is done. */
  private readonly recounting = new Map<string, Promise<void>>();
  private readonly recountAgain = new Set<string>();

  constructor(ctx: ActorContext<LeaderDeps>, store: RunStore) {
    this.ctx = ctx;
    this.store = store;
    this.records = new RunRecords(ctx);
  }

  private get ws(): string {
    return this.ctx.ws;
  }

  private runs(): Promise<TypedKv> {
    return this.ctx.kv('runs');
  }

  /** One start/stop/tier change at a time, so "one run at a time" holds under concurrent requests. */
  private serial<T>(fn: () => Promise<T>): Promise<T> {
    const p = this.chain.then(fn, fn);
    this.chain = p.catch(() => undefined);
    return p;
  }

  /** A run left active by a previous leader is failed, never resumed: at once (so its work is
   * dropped), then with its counts told from the run's records and an email to the installer. */
  async open(): Promise<void> {
    const kv = await this.runs();
    const cur = await kv.getRaw(Keys.currentRun(this.ws));
    const runId = kvValue(CurrentRunSchema, cur?.value)?.runId;
    if (runId) {
      // A run record not of its schema is no run to fail; NATS failing is the activation failing.
      const found = kvValue(RunSchema, (await kv.getRaw(Keys.run(this.ws, runId)))?.value);
      if (found && isActive(found)) {
        const failed = endRun(found, 'failed', 'coordinator_lost', this.ctx.deps.now(), COORDINATOR_LOST_DETAIL);
        this.store.update(runId, (t) => ({ ...t, run: failed }));
        await kv.put(Keys.run(this.ws, runId), failed);
        this.ctx.log.warn({ run: runId }, 'bulk run of a lost coordinator marked failed');
        void this.recountRun(runId)
          .then((run) => run && this.conclude(run, this.ctx))
          .catch((err) => this.ctx.log.error({ run: runId, err: err }, 'could not conclude a failed run'));
      }
    }
    this.timer = setInterval(() => void this.tick(), PROGRESS_INTERVAL_MS);
  }

  async close(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    await this.chain;
    await Promise.all([...this.recounting.values()]);
    await this.kvChain;
    await this.store.close();
  }

  start(body: { startedBy: string; dryRun: boolean }): Promise<{ run: Run }> {
    return this.serial(async () => {
      const active = await this.activeRun();
      if (active) {
        throw new ControlError('run_active', `bulk run ${active.runId} is ${active.status}: stop it first`, {
          status: 409,
          details: { runId: active.runId, status: active.status },
        });
      }
      const stored = await readSettings(await this.ctx.kv('settings'), this.ws);
      if (!stored)
        throw new ControlError('no_settings', `workspace ${this.ws} has no settings: save settings before a bulk run`, { status: 409 });
      const previous = this.currentRunId ?? (await this.lastRunId());
      if (previous) this.store.forget(previous);
      const now = this.ctx.deps.now();
      const run = newRun({
        runId: makeRunId(now, randomBytes(4).toString('hex')),
        ws: this.ws,
        startedBy: body.startedBy,
        dryRun: body.dryRun,
        settingsRevision: stored.revision,
        now,
        errorsUrl: consoleUrl(this.ctx.config.publicUrl, consolePaths.errors(this.ws)),
      });
      this.store.create(run);
      this.currentRunId = run.runId;
      const kv = await this.runs();
      await kv.put(Keys.run(this.ws, run.runId), run);
      await kv.put(Keys.currentRun(this.ws), { runId: run.runId });
      await this.ctx.publish(IndexRefresh, { run: run.runId, page: 0, cursor: null }, { cls: 'bulk', msgId: `idx:${run.runId}:0` });
      await this.ctx.publish(BulkProgress, run);
      this.ctx.log.info({ run: run.runId, dryRun: run.dryRun, revision: run.settingsRevision }, 'bulk run started');
      void this.countExpected(run.runId);
      void this.checkTier(run.runId);
      return { run };
    });
  }

  stop(reason: StopReason, by: string): Promise<{ run: Run | null }> {
    return this.serial(async () => {
      const active = await this.activeRun();
      if (!active) return { run: null };
      const now = this.ctx.deps.now();
      const t = this.store.update(active.runId, (x) => ({ ...x, run: endRun(x.run, 'stopped', reason, now) }));
      const run = t?.run ?? endRun(active, 'stopped', reason, now);
      await this.persist(run);
      await this.ctx.publish(BulkFinished, run, { msgId: `finished:${run.runId}` });
      // Its per-report keys stay until the next run starts: writes that had started before the
      // stop still report, and are counted once each.
      this.ctx.log.info({ run: run.runId, reason, by }, 'bulk run stopped');
      return { run };
    });
  }

  async status(): Promise<{ run: Run | null }> {
    const runId = this.currentRunId ?? (await this.lastRunId());
    if (!runId) return { run: null };
    const t = this.store.tally(runId);
    if (t) return { run: isActive(t.run) ? withProgress(t.run, this.ctx.deps.now()) : t.run };
    const kv = await this.runs();
    return { run: (await kv.get(Keys.run(this.ws, runId), RunSchema))?.value ?? null };
  }

  async history(limit: number): Promise<{ runs: Run[] }> {
    const runs: Run[] = [];
    for await (const { value } of (await this.runs()).list(Keys.runs(this.ws))) {
      const r = kvValue(RunSchema, value);
      if (r) runs.push(r);
    }
    return { runs: newestFirst(runs, limit) };
  }

  onTier(tier: Tier): Promise<void> {
    return this.serial(async () => {
      const runId = this.currentRunId;
      if (!runId) return;
      const before = this.store.tally(runId);
      if (!before || !isActive(before.run)) return;
      const after = applyTier(before.run, tier);
      if (after === before.run) return;
      this.store.update(runId, (t) => ({ ...t, run: applyTier(t.run, tier) }));
      this.ctx.log.info({ run: runId, tier, status: after.status }, 'bulk run capacity changed');
      await this.publishProgress(runId);
    });
  }

  /** Keep a report with the run's records, count it and carry out what it leads to. A report of
   * a run that ended (or that another leader ran) has the ended run's counts told again. */
  async report(r: Report, ctx: ActorContext): Promise<void> {
    await this.records.keep(r);
    const rec = this.store.record(r.body.run, r, this.ctx.deps.now());
    if (!rec.tally || (!isActive(rec.tally.run) && rec.effects.length === 0)) {
      this.scheduleRecount(r.body.run);
      return;
    }
    for (const e of rec.effects) await this.effect(e, rec.tally, ctx);
    if (rec.changed) await this.publishProgress(r.body.run);
  }

  /** One of the run's work items was dead-lettered: the run can never complete, so it fails now,
   * saying which item and why, and the installer is told. */
  deadLettered(d: BodyOf<typeof WorkDeadLettered>, ctx: ActorContext): Promise<void> {
    return this.serial(async () => {
      const t = this.store.tally(d.run);
      if (!t || !isActive(t.run)) {
        ctx.log.info({ run: d.run, dlqSeq: d.dlqSeq }, 'dead letter of a run not running here; the letter is the record');
        return;
      }
      const now = this.ctx.deps.now();
      const next = this.store.update(d.run, (x) => ({ ...x, run: endRun(x.run, 'failed', 'dead_letter', now, deadLetterDetail(d)) }));
      ctx.log.error({ run: d.run, stage: d.stage, reason: d.reason, dlqSeq: d.dlqSeq }, 'bulk run failed: a work item was dead-lettered');
      await this.conclude(next?.run ?? endRun(t.run, 'failed', 'dead_letter', now, deadLetterDetail(d)), ctx);
    });
  }

  /** Tell an ended run's counts again from its records, now or right after a recount in progress. */
  private scheduleRecount(runId: string): void {
    if (this.recounting.has(runId)) {
      this.recountAgain.add(runId);
      return;
    }
    const p = (async () => {
      do {
        this.recountAgain.delete(runId);
        await this.recountRun(runId).catch((err) => this.ctx.log.warn({ run: runId, err: err }, 'recount failed'));
      } while (this.recountAgain.has(runId) && !this.ctx.signal.aborted);
    })().finally(() => this.recounting.delete(runId));
    this.recounting.set(runId, p);
  }

  /** The ended run with its counts from the records, stored; null for a run that is running,
   * completed (all its reports were counted) or unknown. */
  private async recountRun(runId: string): Promise<Run | null> {
    const found = await (await this.runs()).get(Keys.run(this.ws, runId), RunSchema);
    const before = found?.value;
    if (!before || isActive(before) || before.status === 'completed') return null;
    const { counts, indexContacts } = await this.records.recount(runId);
    const run: Run = { ...before, counts, indexContacts: indexContacts || before.indexContacts };
    this.store.update(runId, (t) => ({ ...t, run: { ...t.run, counts: run.counts, indexContacts: run.indexContacts } }));
    await this.persist(run);
    return run;
  }

  private async effect(e: Effect, t: RunTally, ctx: ActorContext): Promise<void> {
    const runId = t.run.runId;
    if (e.kind === 'scan') {
      ctx.log.info({ run: runId, object: e.object }, 'bulk run scanning');
      await ctx.publish(
        ScanPage,
        { run: runId, settingsRevision: t.run.settingsRevision, object: e.object, page: 0, afterId: null },
        { cls: 'bulk', msgId: `scan:${runId}:${e.object}:0` },
      );
      return;
    }
    await this.finish(runId, ctx);
  }

  private async finish(runId: string, ctx: ActorContext): Promise<void> {
    const t = this.store.tally(runId);
    if (!t) return;
    await this.conclude(withProgress(t.run, this.ctx.deps.now()), ctx);
    await this.records.drop(runId);
  }

  /** An ended run (completed or failed): stored, announced, emailed to the installer. */
  private async conclude(run: Run, ctx: ActorContext): Promise<void> {
    const runId = run.runId;
    await this.persist(run);
    await ctx.publish(BulkFinished, run, { msgId: `finished:${runId}` });
    const settings = await readSettings(await ctx.kv('settings'), this.ws, run.settingsRevision);
    const to = settings?.settings.installerEmail;
    if (to) {
      // The body's `run` is a record, not a run id: no ps-run header, or the gate would drop it.
      await ctx.publish(NotifyRunFinished, { run, to }, { cls: 'bulk', run: '', msgId: `notify:${runId}` });
    } else {
      ctx.log.warn({ run: runId }, "no installer email in the run's settings: nobody to notify");
    }
    ctx.log.info({ run: runId, status: run.status, reason: run.reason, counts: run.counts }, `bulk run ${run.status}`);
    this.store.forget(runId);
  }

  private async tick(): Promise<void> {
    const runId = this.currentRunId;
    if (!runId) return;
    const t = this.store.tally(runId);
    if (!t || !isActive(t.run)) return;
    await this.publishProgress(runId).catch((err) => this.ctx.log.warn({ err }, 'progress publish failed'));
  }

  /** The latest run from the store to KV and the progress event, in order. */
  private async publishProgress(runId: string): Promise<void> {
    const t = this.store.tally(runId);
    if (!t) return;
    const run = isActive(t.run) ? withProgress(t.run, this.ctx.deps.now()) : t.run;
    await this.persist(run);
    await this.ctx.publish(BulkProgress, run);
  }

  /** KV writes go one after another and always carry the store's newest state, so an older
   * snapshot can never land after a newer one (the RunGate must not see a finished run revive). */
  private persist(fallback: Run): Promise<void> {
    const p = this.kvChain.then(async () => {
      const latest = this.store.tally(fallback.runId)?.run ?? fallback;
      const run = isActive(latest) ? withProgress(latest, this.ctx.deps.now()) : latest;
      await (await this.runs()).put(Keys.run(this.ws, run.runId), run);
    });
    this.kvChain = p.catch(() => undefined);
    return p;
  }

  private async activeRun(): Promise<Run | null> {
    if (this.currentRunId) {
      const t = this.store.tally(this.currentRunId);
      if (t && isActive(t.run)) return t.run;
    }
    const runId = await this.lastRunId();
    if (!runId) return null;
    const v = await (await this.runs()).get(Keys.run(this.ws, runId), RunSchema).catch(() => null);
    return v && isActive(v.value) ? v.value : null;
  }

  private async lastRunId(): Promise<string | null> {
    const cur = await (await this.runs()).getRaw(Keys.currentRun(this.ws));
    return kvValue(CurrentRunSchema, cur?.value)?.runId ?? null;
  }

  /** Expected records for percent and ETA: one COUNT() per object, on bulk tokens. A run paused
   * for API capacity gets no bulk tokens, so this keeps asking for as long as the run is active. */
  private async countExpected(runId: string): Promise<void> {
    const sf = this.ctx.deps.salesforce(this.ws);
    for (let attempt = 1; !this.ctx.signal.aborted; attempt++) {
      try {
        const total = await this.ctx.withTokens('bulk', 2, async () => (await sf.count('Contact')) + (await sf.count('Lead')));
        this.store.update(runId, (t) => ({ ...t, run: { ...t.run, expectedRecords: total } }));
        return;
      } catch (err) {
        if (!failureOf(err).retryable) {
          this.ctx.log.warn({ run: runId, err }, 'could not count records: progress has no percent');
          return;
        }
        const t = this.store.tally(runId);
        if (!t || !isActive(t.run)) return;
        await new Promise((r) => setTimeout(r, Math.min(COUNT_RETRY_MAX_MS, 500 * attempt)));
      }
    }
  }

  /** A run started while bulk capacity is already spent is paused from the start. */
  private async checkTier(runId: string): Promise<void> {
    try {
      const u = await this.ctx.request(QuotaUsageShow, {}, { timeoutMs: 3_000 });
      if (u.tier !== 'normal' && this.currentRunId === runId) await this.onTier(u.tier);
    } catch {
      // No quota actor answering: tier changes will still arrive as events.
    }
  }
}
