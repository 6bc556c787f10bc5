// Event sync's clock: while this process leads the workspace's schedule, it asks for a poll of
// Salesforce's changes (both objects, one call) and of Intercom's every poll interval. It looks
// every second whether a poll is due by the interval of the settings as they are now (watched),
// so a shorter interval applies at once, not after the old one ran out. While the budget pauses
// event sync no poll is asked for, so none pile up; once it resumes, one poll catches up. When
// the last poll was asked for is kept in KV, so a new leader keeps the cadence.
import {
  Keys,
  PollClockSchema,
  PollIntercom,
  ScanChanges,
  type Tier,
  type WorkspaceSettings,
  QuotaUsageShow,
  kvValue,
} from '../../protocol/index.ts';
import { type ActorContext, KvConflictError } from '../../runtime/index.ts';
import type { Uses } from '../services.ts';
import { WorkspaceFacts } from '../domain/index.ts';
import { DEFAULT_POLL_INTERVAL_SECONDS, pollMsgId } from './plan.ts';

type Ctx = ActorContext<Uses<'now'>>;

/** How often the clock looks whether a poll is due: a poll starts at most this late. */
export const CHECK_MS = 1_000;
const PAUSED: ReadonlySet<Tier> = new Set<Tier>(['event_paused', 'exhausted']);

export class PollSchedule {
  private timer: NodeJS.Timeout | null = null;
  private stopWatch: (() => void) | null = null;
  private stopped = false;
  private busy = false;
  private settings: WorkspaceSettings | null = null;
  private lastAskedAt: number | null = null;
  private paused = false;
  private readonly ctx: Ctx;
  private readonly facts: WorkspaceFacts;

  constructor(ctx: Ctx) {
    this.ctx = ctx;
    this.facts = new WorkspaceFacts(ctx);
  }

  async start(): Promise<void> {
    // The clock first: a new leader that saw the settings before it would poll at once.
    const clock = await (await this.ctx.kv('cursors')).getRaw(Keys.pollClock(this.ctx.ws));
    // A clock not of its schema is handled as a missing one.
    this.lastAskedAt = kvValue(PollClockSchema, clock?.value)?.askedAt ?? null;
    this.stopWatch = await this.facts.watch((s) => {
      this.settings = s;
      void this.check();
    });
    void this.readTier();
    this.timer = setInterval(() => void this.check(), CHECK_MS);
    void this.check();
  }

  stop(): void {
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    this.stopWatch?.();
  }

  /** The budget's tier changed: event sync pauses at 80 % and at 100 %. */
  onTier(tier: Tier): void {
    this.paused = PAUSED.has(tier);
    if (!this.paused) void this.check();
  }

  private async readTier(): Promise<void> {
    try {
      this.onTier((await this.ctx.request(QuotaUsageShow, {}, { timeoutMs: 3_000 })).tier);
    } catch {
      // No quota actor answering yet: tier changes still arrive as events.
    }
  }

  /** Asks for a poll when one is due. */
  private async check(): Promise<void> {
    if (this.busy || this.stopped || this.paused || !this.settings) return;
    const now = this.ctx.deps.now();
    const interval = (this.settings.pollIntervalSeconds ?? DEFAULT_POLL_INTERVAL_SECONDS) * 1000;
    if (this.lastAskedAt !== null && now < this.lastAskedAt + interval) return;
    this.busy = true;
    try {
      await this.ask(now);
      this.lastAskedAt = now;
      await this.remember(now);
    } catch (err) {
      this.ctx.log.warn({ err }, 'asking for a poll failed; trying again in a moment');
    } finally {
      this.busy = false;
    }
  }

  private async ask(at: number): Promise<void> {
    const o = { cls: 'event' as const };
    await this.ctx.publish(ScanChanges, { objects: ['Contact', 'Lead'], at, reason: 'tick' }, { ...o, msgId: pollMsgId('salesforce', at) });
    await this.ctx.publish(PollIntercom, { tick: Math.floor(at / 1000) }, { ...o, msgId: pollMsgId('intercom', at) });
  }

  private async remember(at: number): Promise<void> {
    try {
      await (await this.ctx.kv('cursors')).put(Keys.pollClock(this.ctx.ws), { askedAt: at });
    } catch (err) {
      if (!(err instanceof KvConflictError)) throw err;
    }
  }
}
