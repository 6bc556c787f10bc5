// Work items of a bulk run that is no longer running are dropped unexecuted. Every process keeps
// the status of runs from a KV watch, so the check costs nothing on the hot path.
import { Keys, PermanentError, RetryableError } from '../protocol/index.ts';
import type { TypedKv } from './kv.ts';

const TERMINAL = new Set(['completed', 'stopped', 'failed']);

/** Thrown by a handler (or the host) when its run has ended: the item is acked and dropped. */
export class RunInactiveError extends PermanentError {
  override name = 'RunInactiveError';
}

/** An item names a run this workspace never recorded. Asked again shortly (a replica may be a
 * moment behind the write that created the run), then dead-lettered as `unknown_run`. */
export class UnknownRunError extends RetryableError {
  override name = 'UnknownRunError';
  constructor(message: string) {
    super(message, { retryAfterMs: 1_000, dlqReason: 'unknown_run' });
  }
}

export type RunState = 'active' | 'ended' | 'unknown';

export class RunGate {
  private readonly status = new Map<string, string>();
  private stopWatch: (() => void) | null = null;
  private readonly kv: TypedKv;

  constructor(kv: TypedKv) {
    this.kv = kv;
  }

  async start(): Promise<void> {
    this.stopWatch = await this.kv.watch('*.runs.*', (key, value) => {
      const runId = key.slice(key.lastIndexOf('.') + 1);
      const st = (value as { status?: string } | null)?.status;
      this.status.set(runId, st ?? 'deleted');
    });
  }

  /** Whether the run is running (or paused), has ended, or was never recorded. Runs that exist
   * are remembered (the watch keeps them current); an unknown id is read again each time. */
  async state(ws: string, runId: string): Promise<RunState> {
    let st = this.status.get(runId);
    if (st === undefined) {
      const v = await this.kv.getRaw(Keys.run(ws, runId));
      st = (v?.value as { status?: string } | undefined)?.status;
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

  stop(): void {
    this.stopWatch?.();
  }
}
