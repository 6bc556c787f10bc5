// The quota leader's state in the quota bucket (key = workspace), written by group commit: a grant
// is answered only once the state holding it is stored (so a successor never grants it twice),
// but grants that arrive while a write is in flight share the next write instead of queueing one
// each. Writes carry the last revision: if another leader wrote in between, this one has been
// replaced, and it stops granting rather than overwrite its successor.
import { RetryableError } from '../../protocol/index.ts';
import { KvConflictError, type TypedKv } from '../../runtime/index.ts';

export class QuotaFencedError extends RetryableError {
  override name = 'QuotaFencedError';
}

interface Waiter {
  resolve(): void;
  reject(err: unknown): void;
}

export class LedgerStore {
  private revision = 0;
  private fencedBy: Error | null = null;
  private waiting: Waiter[] = [];
  private writing = false;
  private idle: Promise<void> = Promise.resolve();
  private idleResolve: (() => void) | null = null;
  private readonly kv: TypedKv;
  private readonly key: string;
  private readonly snapshot: () => unknown;

  constructor(kv: TypedKv, key: string, snapshot: () => unknown) {
    this.kv = kv;
    this.key = key;
    this.snapshot = snapshot;
  }

  get fenced(): boolean {
    return this.fencedBy !== null;
  }

  /** The stored state (null when there is none), remembering its revision for the next write. */
  async load(): Promise<unknown | null> {
    const v = await this.kv.getRaw(this.key);
    this.revision = v?.revision ?? 0;
    return v?.value ?? null;
  }

  /** Resolves once a write that began after this call has stored the state. */
  commit(): Promise<void> {
    if (this.fencedBy) return Promise.reject(this.fencedBy);
    const p = new Promise<void>((resolve, reject) => this.waiting.push({ resolve, reject }));
    if (!this.writing) void this.drain();
    return p;
  }

  /** Resolves when no write is in flight (for a graceful stop). */
  settled(): Promise<void> {
    return this.idle;
  }

  private async drain(): Promise<void> {
    this.writing = true;
    this.idle = new Promise((r) => {
      this.idleResolve = r;
    });
    while (this.waiting.length > 0) {
      const batch = this.waiting;
      this.waiting = [];
      try {
        await this.write();
        for (const w of batch) w.resolve();
      } catch (err) {
        for (const w of batch) w.reject(err);
      }
    }
    this.writing = false;
    this.idleResolve?.();
  }

  private async write(): Promise<void> {
    if (this.fencedBy) throw this.fencedBy;
    const value = this.snapshot(); // taken now: holds every change made before this write began
    try {
      this.revision = this.revision ? await this.kv.update(this.key, value, this.revision) : await this.kv.create(this.key, value);
    } catch (err) {
      if (err instanceof KvConflictError) {
        this.fencedBy = new QuotaFencedError(`quota state of ${this.key} was written by another leader`, { cause: err });
        throw this.fencedBy;
      }
      throw err;
    }
  }
}
