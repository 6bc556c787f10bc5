// The quota leader of one workspace: the ledger in memory, stored in KV before any grant is
// answered, events on tier changes and usage, the org re-read while it is exhausted, and the
// defined limit from settings. Every decision is taken synchronously on the ledger, so concurrent
// requests are served one at a time (the event loop is the mailbox) and cannot overshoot.
import { randomBytes } from 'node:crypto';
import {
  TierChanged,
  UsageReported,
  type BodyOf,
  type EventDef,
  type QuotaRelease,
  type QuotaUsage,
  type ReplyOf,
  type RequestOf,
  type QuotaAcquire,
  type Tier,
  type UsageIndicator,
  RetryableError,
} from '../../protocol/index.ts';
import type { ActorContext } from '../../runtime/index.ts';
import type { Uses } from '../services.ts';
import { readSettings } from '../domain/index.ts';
import { Ledger, type LedgerTiming } from './ledger.ts';
import { LedgerStore } from './store.ts';

type Ctx = ActorContext<Uses<'salesforce' | 'now'>>;

export interface QuotaOptions extends LedgerTiming {
  /** UsageReported is published at least this often... */
  reportEveryMs: number;
  /** ...and on a change, but not more often than this. */
  reportGapMs: number;
  /** A lease not returned by then is taken as fully spent (it stays counted). */
  grantMaxAgeMs: number;
  /** Settings are read again this often, besides the SettingsSaved event. */
  settingsRefreshMs: number;
  tickMs: number;
}

export const DEFAULT_QUOTA_OPTIONS: QuotaOptions = {
  minRetryMs: 1_000,
  maxRetryMs: 60_000,
  orgRecheckMs: 30_000,
  reportEveryMs: 30_000,
  reportGapMs: 1_000,
  grantMaxAgeMs: 60_000,
  settingsRefreshMs: 60_000,
  tickMs: 250,
};

type AcquireReply = ReplyOf<typeof QuotaAcquire>;

export class QuotaLeader {
  private ledger = new Ledger();
  private store: LedgerStore | null = null;
  readonly ready: Promise<void>;
  private readonly term = randomBytes(4).toString('hex');
  private seq = 0;
  private settingsRevision = -1;
  private timer: NodeJS.Timeout | null = null;
  private lastTier: Tier | null = null;
  private lastSignature = '';
  private reportedAt = 0;
  private settingsReadAt = 0;
  private dirty = false;
  private checkingOrg = false;
  private stopped = false;
  private events: Promise<void> = Promise.resolve();
  private readonly ctx: Ctx;
  private readonly o: QuotaOptions;

  constructor(ctx: Ctx, o: QuotaOptions) {
    this.ctx = ctx;
    this.o = o;
    this.ready = this.init();
  }

  /** A leader that has loaded its state and can answer (or whose leadership ended meanwhile). */
  static async open(ctx: Ctx, o: QuotaOptions): Promise<QuotaLeader> {
    const leader = new QuotaLeader(ctx, o);
    await leader.ready;
    return leader;
  }

  private now(): number {
    return this.ctx.deps.now();
  }

  /** Load, claim (first write) and read the limit; retried until it works or the leader stops,
   * since a failure here must not leave a leader that never answers. */
  private async init(): Promise<void> {
    for (let attempt = 1; !this.stopped && !this.ctx.signal.aborted; attempt++) {
      try {
        await this.claim();
        await this.readLimit();
        if (this.stopped) return;
        this.lastTier = this.ledger.tier(this.now());
        this.report(this.now(), true);
        this.timer = setInterval(() => this.tick(), this.o.tickMs);
        this.ctx.log.info(
          { used: this.ledger.own(this.now()), open: this.ledger.openGrants, limit: this.ledger.limit },
          'quota leader ready',
        );
        return;
      } catch (err) {
        this.ctx.log.error({ err, attempt }, 'quota leader could not start; trying again');
        await new Promise((r) => setTimeout(r, Math.min(5_000, 200 * attempt)));
      }
    }
  }

  private async claim(): Promise<void> {
    const kv = await this.ctx.kv('quota');
    const store = new LedgerStore(kv, this.ctx.ws, () => this.ledger.snapshot());
    const raw = await store.load();
    let ledger = new Ledger(this.o);
    try {
      if (raw !== null) ledger = Ledger.restore(raw, this.o);
    } catch (err) {
      // Nothing better is known: start from zero, loudly. Salesforce's own figures still stop us.
      this.ctx.log.error({ err }, 'stored quota state unreadable; starting from an empty window');
    }
    ledger.limit = this.ledger.limit;
    this.ledger = ledger;
    this.store = store;
    await store.commit(); // from here on, an older leader's writes fail: it is fenced
  }

  async acquire(body: RequestOf<typeof QuotaAcquire>): Promise<AcquireReply> {
    await this.ready;
    const now = this.now();
    const store = this.store;
    if (this.stopped || !store || store.fenced)
      return { grantId: null, granted: 0, tier: this.ledger.tier(now), retryAfterMs: this.o.minRetryMs };
    const d = this.ledger.acquire(body.cls, body.n, `${this.term}-${(++this.seq).toString(36)}`, now);
    if (d.granted === 0) {
      if (this.ledger.orgCheckDue(now)) void this.checkOrg();
      return d;
    }
    this.changed(now);
    try {
      await store.commit();
    } catch (err) {
      // The lease stays counted (lost); the caller asks again.
      this.ctx.log.warn({ err }, 'could not store a grant; refusing it');
      return { grantId: null, granted: 0, tier: d.tier, retryAfterMs: this.o.minRetryMs };
    }
    return d;
  }

  async release(body: BodyOf<typeof QuotaRelease>): Promise<void> {
    await this.ready;
    if (this.stopped)
      throw new RetryableError(`not the quota leader of workspace ${this.ctx.ws} any more`, { name: 'QuotaUnavailableError' });
    const now = this.now();
    if (this.ledger.release(body.grantId, body.unused, now) > 0) this.changed(now);
    await this.persist();
  }

  async usage(body: BodyOf<typeof QuotaUsage>): Promise<void> {
    await this.ready;
    if (this.stopped)
      throw new RetryableError(`not the quota leader of workspace ${this.ctx.ws} any more`, { name: 'QuotaUnavailableError' });
    const now = this.now();
    this.ledger.report(body, now);
    this.changed(now);
    await this.persist();
  }

  indicator(): UsageIndicator {
    return this.ledger.indicator(this.ctx.ws, this.now());
  }

  /** A new defined limit (settings saved, or read); an older revision never replaces a newer. */
  applyLimit(limit: number, revision: number): void {
    if (revision < this.settingsRevision) return;
    this.settingsRevision = revision;
    if (this.ledger.limit === limit) return;
    this.ctx.log.info({ limit, previous: this.ledger.limit, revision }, 'defined Salesforce API limit applied');
    this.ledger.limit = limit;
    this.changed(this.now());
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    await this.store?.settled();
    await this.events;
  }

  private async persist(): Promise<void> {
    if (!this.store) throw new RetryableError('quota leader has no store yet', { name: 'QuotaUnavailableError' });
    try {
      await this.store.commit();
    } catch (err) {
      throw new RetryableError(`could not store quota state: ${(err as Error).message}`, { name: 'QuotaUnavailableError', cause: err });
    }
  }

  private async readLimit(): Promise<void> {
    this.settingsReadAt = this.now();
    const s = await readSettings(await this.ctx.kv('settings'), this.ctx.ws);
    if (s) this.applyLimit(s.settings.sfApiLimit, s.revision);
    else if (this.ledger.limit === null)
      this.ctx.log.info('no settings: no Salesforce API limit defined; only the look-ups of a first save are granted');
  }

  /** While the org is exhausted, Salesforce's own figures decide when it is not any more; the
   * call is reported by the connector like any other, so it is charged as usage. */
  private async checkOrg(): Promise<void> {
    if (this.checkingOrg || this.stopped) return;
    this.checkingOrg = true;
    const startedAt = this.now();
    this.ledger.markOrgChecked(startedAt);
    try {
      const limits = await this.ctx.deps.salesforce(this.ctx.ws).limits();
      this.ledger.limitsRead(limits.dailyApiRequests.max, limits.dailyApiRequests.remaining, startedAt, this.now());
      this.changed(this.now());
      await this.persist();
    } catch (err) {
      this.ctx.log.info({ err }, 'org limits re-read failed; the org stays exhausted');
    } finally {
      this.checkingOrg = false;
    }
  }

  private changed(now: number): void {
    this.dirty = true;
    const tier = this.ledger.tier(now);
    if (tier === this.lastTier || this.lastTier === null) return;
    const previous = this.lastTier;
    this.lastTier = tier;
    const consumptionPercent = this.ledger.indicator(this.ctx.ws, now).consumptionPercent;
    this.ctx.log.info({ tier, previous, consumptionPercent }, 'Salesforce API tier changed');
    this.emit(TierChanged, { tier, previous, consumptionPercent, at: now });
  }

  private tick(): void {
    if (this.stopped) return;
    const now = this.now();
    this.ledger.expireGrants(now, this.o.grantMaxAgeMs);
    if (this.ledger.orgCheckDue(now)) void this.checkOrg();
    if (now - this.settingsReadAt >= this.o.settingsRefreshMs) {
      this.readLimit().catch((err) => this.ctx.log.warn({ err }, 'could not read settings'));
    }
    if (this.ledger.tier(now) !== this.lastTier) this.changed(now); // use rolled off
    if (now - this.reportedAt >= this.o.reportEveryMs) this.report(now, true);
    else if (this.dirty && now - this.reportedAt >= this.o.reportGapMs) this.report(now, false);
  }

  /** UsageReported when the figures changed (or `force`, the periodic one). */
  private report(now: number, force: boolean): void {
    this.dirty = false;
    const ind = this.ledger.indicator(this.ctx.ws, now);
    const signature = [ind.usedByWorkspace, ind.orgUsed, ind.orgLimit, ind.definedLimit, ind.tier, ind.orgExhausted].join('|');
    if (!force && signature === this.lastSignature) return;
    this.lastSignature = signature;
    this.reportedAt = now;
    this.emit(UsageReported, ind);
  }

  /** Events go out in order, without holding up the grant that caused them. */
  private emit<D extends EventDef>(def: D, body: BodyOf<D>): void {
    this.events = this.events
      .then(() => this.ctx.publish(def, body as never))
      .catch((err) => this.ctx.log.warn({ err, type: def.type }, 'could not publish a quota event'));
  }
}
