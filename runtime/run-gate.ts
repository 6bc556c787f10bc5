// Work items of a bulk run that is no longer running are dropped unexecuted. Every process keeps
// the status of runs from a KV watch, so the check costs nothing on the hot path.
import { Keys, PermanentError, RunSchema, kvValue } from '../protocol/index.ts';
import type { TypedKv } from './kv.ts';

const TERMINAL = new Set(['completed', 'stopped', 'failed']);

/** Thrown by a handler (or the host) when its run has ended: the item is acked and dropped. */
export class RunInactiveError extends PermanentError {
  override name = 'RunInactiveError';
}

export type RunState = 'active' | 'ended' | 'unknown';

/** Reads of one key made in rounds: a caller joins the next read that starts after it asked, so
 * the answer is never older than the question, and callers who ask together share one read. */
class FreshReads<T> {
  private waiting: ((v: Promise<T>) => void)[] = [];
  private running = false;
  private readonly read: () => Promise<T>;

  constructor(read: () => Promise<T>) {
    this.read = read;
  }

  get(): Promise<T> {
    const p = new Promise<Promise<T>>((resolve) => this.waiting.push(resolve)).then((v) => v);
    if (!this.running) void this.run();
    return p;
  }

  private async run(): Promise<void> {
    this.running = true;
    while (this.waiting.length) {
      const round = this.waiting;
      this.waiting = [];
      const v = this.read();
      await v.catch(() => undefined);
      for (const resolve of round) resolve(v);
    }
    this.running = false;
  }
}

export class RunGate {
  private readonly status = new Map<string, string>();
  private readonly fresh = new Map<string, FreshReads<string>>();
  private stopWatch: (() => void) | null = null;
  private readonly kv: TypedKv;

  constructor(kv: TypedKv) {
    this.kv = kv;
  }

  async start(): Promise<void> {
    this.stopWatch = await this.kv.watch('*.runs.*', (key, value) => {
      const runId = key.slice(key.lastIndexOf('.') + 1);
      // A run not of its schema is as one deleted: its work is not done.
      this.status.set(runId, kvValue(RunSchema, value)?.status ?? 'deleted');
    });
  }

  /** Whether the run is running (or paused), has ended, or was never recorded. Runs that exist
   * are remembered (the watch keeps them current); an unknown id is read again each time. */
  async state(ws: string, runId: string): Promise<RunState> {
    let st = this.status.get(runId);
    if (st === undefined) {
      const v = await this.kv.getRaw(Keys.run(ws, runId));
      st = kvValue(RunSchema, v?.value)?.status;
      if (st === undefined) return 'unknown';
      if (!this.status.has(runId)) this.status.set(runId, st);
    }
    if (st === 'deleted') return 'unknown';
    return TERMINAL.has(st) ? 'ended' : 'active';
  }

  /** True when the run has ended (or was never recorded). */
  async isInactive(ws: string, runId: string): Promise<boolean> {
    return (await this.state(ws, runId)) !== 'active';
  }

  /**
   * Whether the run is still running or paused, read from the runs bucket now (not from the
   * watch, which may be a moment behind): a write of a run's work checks this right before it
   * starts, so none starts once a stop has been acknowledged.
   */
  async activeNow(ws: string, runId: string): Promise<boolean> {
    const key = Keys.run(ws, runId);
    let reads = this.fresh.get(key);
    if (!reads) {
      reads = new FreshReads<string>(async () => kvValue(RunSchema, (await this.kv.getRaw(key))?.value)?.status ?? 'deleted');
      if (this.fresh.size > 64) this.fresh.clear();
      this.fresh.set(key, reads);
    }
    const st = await reads.get();
    this.status.set(runId, st);
    return !TERMINAL.has(st) && st !== 'deleted';
  }

  stop(): void {
    this.stopWatch?.();
  }
}
