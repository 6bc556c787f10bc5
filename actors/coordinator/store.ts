// Per-run state of the coordinator in LMDB: the run tally, each batch's tally and the keys of
// reports already counted. A report is checked, applied and recorded in one synchronous write
// transaction, so counting is exact whatever the redelivery, and what it asked to do is kept with
// its key so a redelivery repeats the (idempotent) effects instead of losing them.
import { open, type RootDatabase } from 'lmdb';
import type { Run } from '../../protocol/index.ts';
import {
  type BatchTally,
  type Effect,
  type Report,
  type RunTally,
  type Step,
  applyReport,
  batchIdsOf,
  countsAfterEnd,
  isActive,
  newTally,
  reportKey,
} from './tally.ts';

export interface Recorded {
  /** Seen before: nothing was counted. */
  duplicate: boolean;
  tally: RunTally | null;
  effects: Effect[];
  changed: boolean;
}

type Key = (string | number)[];
const END = '\uffff';

export class RunStore {
  private readonly db: RootDatabase;

  private constructor(db: RootDatabase) {
    this.db = db;
  }

  static open(path: string): RunStore {
    return new RunStore(open({ path, compression: false }));
  }

  tally(runId: string): RunTally | null {
    return (this.db.get(['run', runId]) as RunTally | undefined) ?? null;
  }

  create(run: Run): RunTally {
    const t = newTally(run);
    this.db.transactionSync(() => {
      this.db.putSync(['run', run.runId], t);
    });
    return t;
  }

  /** Read-modify-write of the tally outside the counting path (stop, pause, expected count). */
  update(runId: string, fn: (t: RunTally) => RunTally): RunTally | null {
    return this.db.transactionSync(() => {
      const cur = this.tally(runId);
      if (!cur) return null;
      const next = fn(cur);
      if (next !== cur) this.db.putSync(['run', runId], next);
      return next;
    });
  }

  /** Count one report exactly once. */
  record(runId: string, report: Report, now: number): Recorded {
    return this.db.transactionSync((): Recorded => {
      const seenKey: Key = ['seen', runId, reportKey(report)];
      const seen = this.db.get(seenKey) as { effects: Effect[] } | undefined;
      const tally = this.tally(runId);
      if (seen) return { duplicate: true, tally, effects: seen.effects, changed: false };
      if (!tally) return { duplicate: false, tally: null, effects: [], changed: false };
      // An ended run counts only its last writes (kept, so a redelivered one counts once);
      // its other leftovers count nothing and leave no keys behind.
      if (!isActive(tally.run) && !countsAfterEnd(report)) return { duplicate: false, tally, effects: [], changed: false };
      const batches: Record<string, BatchTally | undefined> = {};
      for (const id of batchIdsOf(report)) batches[id] = this.db.get(['batch', runId, id]) as BatchTally | undefined;
      const step: Step = applyReport(tally, batches, report, now);
      if (step.tally !== tally) this.db.putSync(['run', runId], step.tally);
      for (const [id, b] of Object.entries(step.batches)) this.db.putSync(['batch', runId, id], b);
      this.db.putSync(seenKey, { effects: step.effects });
      return { duplicate: false, tally: step.tally, effects: step.effects, changed: step.changed };
    });
  }

  /** Drop the per-batch and per-report entries of an ended run; its tally stays. */
  forget(runId: string): number {
    const keys: Key[] = [];
    for (const kind of ['batch', 'seen']) {
      for (const key of this.db.getKeys({ start: [kind, runId], end: [kind, runId, END] })) keys.push(key as Key);
    }
    this.db.transactionSync(() => {
      for (const k of keys) this.db.removeSync(k);
    });
    return keys.length;
  }

  close(): Promise<void> {
    return this.db.close();
  }
}
