// Singleton leadership through KV entries that expire by a TTL of their own (per-message TTL),
// so leases of any length share one bucket. `create` acquires; `update` with the last revision
// renews at a third of the TTL. A renewal that fails for want of NATS (a node lost, the bucket's
// stream electing a leader) is tried again: nobody can write the entry meanwhile. One refused
// because the entry changed takes the key again if it expired meanwhile and nobody took it, and
// otherwise stops leadership at once (another holder exists). A new leader waits one TTL before acting, so an old leader that lost the key has
// surely stopped; an actor whose writes are fenced (compare-and-set on what it loaded: quota)
// acts at once. A follower does not wait for the key to expire when its holder is gone: each entry
// names the holder's liveness subject, and when nobody answers there (the holder's connection is
// closed: a killed process) twice, a check apart, with the entry not renewed meanwhile, the
// follower takes the key over by compare-and-set. Once is not enough: a holder whose NATS node was
// lost has no subscription either until it reconnects to another node. A holder whose actor
// cannot start gives the key up rather than hold it without leading.
import { type LeaseValue, LeaseValueSchema, kvValue } from '../protocol/index.ts';
import { KvConflictError, type TypedKv } from './kv.ts';
import type { Logger } from './logger.ts';

export interface LeaseCallbacks {
  onAcquired(): void | Promise<void>;
  onLost(): void | Promise<void>;
}

export type LivenessState = 'alive' | 'gone' | 'unknown';

export interface LeaseOptions {
  kv: TypedKv;
  key: string;
  holder: string;
  ttlMs: number;
  log: Logger;
  /** Act as soon as the key is held (the actor fences its own writes); otherwise wait one TTL. */
  actAtOnce?: boolean;
  /** This holder's liveness subject, written into the entry, and how to ask another's. */
  alive?: { subject: string; check(subject: string): Promise<LivenessState> };
}

export class Lease {
  private revision = 0;
  private leader = false;
  private stopped = false;
  private timer: NodeJS.Timeout | null = null;
  /** The entry revision whose holder was found gone once: gone again at the same revision, it is. */
  private goneAt = 0;
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

  private value(): LeaseValue {
    return { holder: this.o.holder, at: Date.now(), ...(this.o.alive ? { alive: this.o.alive.subject } : {}) };
  }

  /** The key is held by someone else: take it over if its holder is gone. */
  private async takeOver(): Promise<number> {
    const alive = this.o.alive;
    if (!alive) return 0;
    const cur = await this.o.kv.getRaw(this.o.key);
    // An entry not of its schema names no holder to ask after: it is left to expire.
    const v = kvValue(LeaseValueSchema, cur?.value);
    const gone = !!cur && !!v?.alive && v.holder !== this.o.holder && (await alive.check(v.alive)) === 'gone';
    const before = this.goneAt;
    this.goneAt = gone ? cur.revision : 0;
    if (!gone || before !== cur.revision) return 0;
    const revision = await this.o.kv.update(this.o.key, this.value(), cur.revision, { ttlMs: this.o.ttlMs });
    this.o.log.warn({ lease: this.o.key, previous: v.holder }, 'lease holder is gone; lease taken over');
    return revision;
  }

  private async tick(): Promise<void> {
    if (this.stopped) return;
    const third = Math.max(100, Math.floor(this.o.ttlMs / 3));
    if (this.revision === 0) {
      try {
        this.revision = await this.o.kv.create(this.o.key, this.value(), { ttlMs: this.o.ttlMs });
      } catch {
        this.revision = await this.takeOver().catch(() => 0);
      }
      if (this.revision === 0) {
        this.schedule(third); // held by someone alive (or NATS unreachable): ask again later
        return;
      }
      this.schedule(third);
      if (this.o.actAtOnce) {
        this.o.log.info({ lease: this.o.key }, 'lease acquired');
        await this.becomeLeader();
      } else {
        this.o.log.info({ lease: this.o.key }, 'lease acquired; waiting one TTL before acting');
        setTimeout(() => void this.becomeLeader(), this.o.ttlMs);
      }
      return;
    }
    try {
      this.revision = await this.o.kv.update(this.o.key, this.value(), this.revision, { ttlMs: this.o.ttlMs });
      this.schedule(third);
    } catch (err) {
      // NATS unavailable (a node lost, the bucket's stream electing a leader): nobody writes the
      // entry meanwhile, so keep leading and try again soon. Refused because the entry changed:
      // if it expired meanwhile and nobody took it, take it again; if another holds it, step down.
      const retryMs = Math.max(50, Math.floor(third / 4));
      if (!(err instanceof KvConflictError)) {
        this.o.log.warn({ lease: this.o.key, err: err }, 'lease renewal failed; trying again');
        this.schedule(retryMs);
        return;
      }
      const again = await this.o.kv.create(this.o.key, this.value(), { ttlMs: this.o.ttlMs }).catch(() => 0);
      if (again) {
        this.o.log.warn({ lease: this.o.key }, 'lease expired while NATS was unavailable; taken again');
        this.revision = again;
        this.schedule(third);
        return;
      }
      this.o.log.warn({ lease: this.o.key, err: err }, 'lease renewal failed; stepping down');
      this.revision = 0;
      await this.stepDown();
      this.schedule(third);
    }
  }

  private async becomeLeader(): Promise<void> {
    if (this.stopped || this.revision === 0 || this.leader) return;
    this.leader = true;
    this.o.log.info({ lease: this.o.key }, 'leading');
    try {
      await this.cb.onAcquired();
    } catch (err) {
      // The actor could not start (its state unreadable a moment: a NATS node lost). Holding the
      // key on would leave the workspace with a leader that does not lead for good: give it up,
      // and the next tick asks for it again, here or in another process.
      this.o.log.error({ lease: this.o.key, err }, 'could not start leading; lease given up');
      this.leader = false;
      const revision = this.revision;
      this.revision = 0;
      await this.o.kv.delete(this.o.key, { revision }).catch(() => undefined);
    }
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
