// Salesforce API tokens. A sync actor leases n tokens from its workspace's quota leader, makes its
// calls inside `withTokens`, and gives back what it did not spend. Every call a connector reports
// is charged to the lease in whose async context it ran; calls outside any lease (or beyond it)
// are reported as plain usage, so the quota actor sees every call exactly once.
import { AsyncLocalStorage } from 'node:async_hooks';
import {
  isSalesforceRequestLimit,
  QuotaAcquire,
  QuotaRelease,
  QuotaUsage,
  RetryableError,
  type Tier,
  type WorkClass,
} from '../protocol/index.ts';
import type { Logger } from './logger.ts';
import type { Messenger } from './messenger.ts';

export interface TokenLease {
  readonly ws: string;
  readonly cls: WorkClass;
  readonly grantId: string;
  readonly granted: number;
  remaining: number;
}

/** Retryable: the work item is nak'ed and comes back after `retryAfterMs`. */
export class QuotaRefusedError extends RetryableError {
  override name = 'QuotaRefusedError';
  override readonly retryAfterMs: number;
  readonly tier: Tier;
  constructor(cls: WorkClass, tier: Tier, retryAfterMs: number) {
    super(`no ${cls} tokens: Salesforce API budget tier is ${tier}`, { retryAfterMs });
    this.tier = tier;
    this.retryAfterMs = retryAfterMs;
  }
}

export interface CallReport {
  calls: number;
  orgUsed?: number;
  orgMax?: number;
  limitExceeded?: boolean;
}

interface Pending {
  calls: number;
  orgUsed?: number;
  orgMax?: number;
  limitExceeded: boolean;
}

export class TokenBroker {
  private readonly als = new AsyncLocalStorage<TokenLease>();
  private readonly pending = new Map<string, Pending>();
  private timer: NodeJS.Timeout | null = null;
  private readonly messenger: Messenger;
  private readonly log: Logger;
  private readonly holder: string;
  private readonly flushMs: number;

  constructor(messenger: Messenger, log: Logger, holder: string, flushMs = 200) {
    this.messenger = messenger;
    this.log = log;
    this.holder = holder;
    this.flushMs = flushMs;
  }

  async withTokens<T>(ws: string, cls: WorkClass, n: number, fn: (lease: TokenLease) => Promise<T>): Promise<T> {
    const reply = await this.messenger.request(QuotaAcquire, ws, { cls, n, holder: this.holder });
    if (reply.granted === 0 || !reply.grantId) throw new QuotaRefusedError(cls, reply.tier, reply.retryAfterMs);
    const lease: TokenLease = { ws, cls, grantId: reply.grantId, granted: reply.granted, remaining: reply.granted };
    try {
      return await this.als.run(lease, () => fn(lease));
    } catch (err) {
      if (isSalesforceRequestLimit(err)) this.report(ws, { calls: 0, limitExceeded: true });
      throw err;
    } finally {
      // Always close the lease, spent or not, so the leader need not keep it open until expiry.
      {
        const unused = lease.remaining;
        lease.remaining = 0;
        await this.messenger
          .publish(QuotaRelease, ws, { grantId: lease.grantId, unused, at: Date.now() }, { cls })
          .catch((err) => this.log.warn({ err }, 'could not return unused tokens'));
      }
    }
  }

  /** The class of the lease the caller runs in, if any. */
  leaseClass(): WorkClass | null {
    return this.als.getStore()?.cls ?? null;
  }

  /** Called by the Salesforce connector for every HTTP call it makes. */
  report(ws: string, r: CallReport): void {
    let extra = r.calls;
    const lease = this.als.getStore();
    if (lease && lease.ws === ws && lease.remaining > 0) {
      const take = Math.min(lease.remaining, extra);
      lease.remaining -= take;
      extra -= take;
    }
    const p = this.pending.get(ws) ?? { calls: 0, limitExceeded: false };
    p.calls += extra;
    if (r.orgUsed !== undefined) p.orgUsed = r.orgUsed;
    if (r.orgMax !== undefined) p.orgMax = r.orgMax;
    if (r.limitExceeded) p.limitExceeded = true;
    this.pending.set(ws, p);
    if (!this.timer) this.timer = setTimeout(() => void this.flush(), this.flushMs);
  }

  async flush(): Promise<void> {
    this.timer = null;
    const batch = [...this.pending.entries()];
    this.pending.clear();
    await Promise.all(
      batch.map(([ws, p]) =>
        this.messenger
          .publish(
            QuotaUsage,
            ws,
            { calls: p.calls, orgUsed: p.orgUsed, orgMax: p.orgMax, limitExceeded: p.limitExceeded, at: Date.now() },
            { cls: 'event' },
          )
          .catch((err) => this.log.warn({ ws, err }, 'could not report API usage')),
      ),
    );
  }

  async close(): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    await this.flush();
  }
}
