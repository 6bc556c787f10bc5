// Event sync's clock: while this process leads the workspace's schedule, every poll interval
// (from the current settings) it asks for a Salesforce change scan of each object and an Intercom
// poll. Message ids carry the tick, so two leaders overlapping in a hand-over poll once.
import { PollIntercom, ScanChanges } from '../../protocol/index.ts';
import type { ActorContext } from '../../runtime/index.ts';
import { DEFAULT_POLL_INTERVAL_SECONDS, pollMsgId, tickOf } from './plan.ts';
import { currentSettings } from './settings.ts';

/** Without settings there is nothing to poll for; look again this often. */
const NO_SETTINGS_RETRY_MS = 30_000;

export class PollSchedule {
  private timer: NodeJS.Timeout | null = null;
  private stopped = false;
  private readonly ctx: ActorContext;

  constructor(ctx: ActorContext) {
    this.ctx = ctx;
  }

  start(): void {
    void this.fire();
  }

  stop(): void {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }

  private async fire(): Promise<void> {
    if (this.stopped) return;
    let waitMs = NO_SETTINGS_RETRY_MS;
    try {
      const settings = await currentSettings(this.ctx);
      if (settings) {
        const interval = settings.pollIntervalSeconds ?? DEFAULT_POLL_INTERVAL_SECONDS;
        waitMs = interval * 1000;
        await this.publishTick(tickOf(this.ctx.deps.now(), interval));
      }
    } catch (err) {
      this.ctx.log.warn({ err }, 'poll tick failed; trying again next interval');
    }
    if (!this.stopped) this.timer = setTimeout(() => void this.fire(), waitMs);
  }

  private async publishTick(tick: number): Promise<void> {
    const o = { cls: 'event' as const };
    await this.ctx.publish(ScanChanges, { object: 'Contact', tick }, { ...o, msgId: pollMsgId('Contact', tick) });
    await this.ctx.publish(ScanChanges, { object: 'Lead', tick }, { ...o, msgId: pollMsgId('Lead', tick) });
    await this.ctx.publish(PollIntercom, { tick }, { ...o, msgId: pollMsgId('intercom', tick) });
  }
}
