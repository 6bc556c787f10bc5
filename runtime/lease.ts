// Singleton leadership through KV entries that expire by a TTL of their own (per-message TTL),
// so leases of any length share one bucket. `create` acquires; `update` with the last revision
// renews at a third of the TTL; a failed renewal means another holder may exist, so leadership
// stops at once. A new leader waits one TTL before acting, so an old leader that lost the key has
// surely stopped.
import type { TypedKv } from './kv.ts';
import type { Logger } from './logger.ts';

export interface LeaseCallbacks {
  onAcquired(): void | Promise<void>;
  onLost(): void | Promise<void>;
}

export interface LeaseOptions {
  kv: TypedKv;
  key: string;
  holder: string;
  ttlMs: number;
  log: Logger;
}

export class Lease {
  private revision = 0;
  private leader = false;
  private stopped = false;
  private timer: NodeJS.Timeout | null = null;
  private readonly o: LeaseOptions;
  private readonly cb: LeaseCallbacks;

  constructor(opts: LeaseOptions, cb: LeaseCallbacks) {
    this.o = opts;
    this.cb = cb;
  }

  get isLeader(): boolean {
    return this.leader;
  }

  start(): void {
    void this.tick();
  }

  private schedule(ms: number): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => void this.tick(), ms);
  }

  private value(): { holder: string; at: number } {
    return { holder: this.o.holder, at: Date.now() };
  }

  private async tick(): Promise<void> {
    if (this.stopped) return;
    const third = Math.max(100, Math.floor(this.o.ttlMs / 3));
    if (this.revision === 0) {
      try {
        this.revision = await this.o.kv.create(this.o.key, this.value(), { ttlMs: this.o.ttlMs });
      } catch {
        this.schedule(third); // held by someone else (or NATS unreachable): ask again later
        return;
      }
      this.o.log.info({ lease: this.o.key }, 'lease acquired; waiting one TTL before acting');
      this.schedule(third);
      setTimeout(() => void this.becomeLeader(), this.o.ttlMs);
      return;
    }
    try {
      this.revision = await this.o.kv.update(this.o.key, this.value(), this.revision, { ttlMs: this.o.ttlMs });
      this.schedule(third);
    } catch (err) {
      this.o.log.warn({ lease: this.o.key, err }, 'lease renewal failed; stepping down');
      this.revision = 0;
      await this.stepDown();
      this.schedule(third);
    }
  }

  private async becomeLeader(): Promise<void> {
    if (this.stopped || this.revision === 0 || this.leader) return;
    this.leader = true;
    this.o.log.info({ lease: this.o.key }, 'leading');
    await this.cb.onAcquired();
  }

  private async stepDown(): Promise<void> {
    if (!this.leader) return;
    this.leader = false;
    await this.cb.onLost();
  }

  /** Stop renewing; on a graceful stop, give the key up so a successor need not wait for expiry. */
  async stop(release = true): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    await this.stepDown();
    if (release && this.revision) {
      try {
        await this.o.kv.delete(this.o.key, { revision: this.revision });
      } catch {
        // someone else holds it already, or NATS is gone: expiry will free it
      }
    }
    this.revision = 0;
  }
}
