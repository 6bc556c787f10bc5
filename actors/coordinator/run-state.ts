// Pure changes to a Run record outside the counting path: creation, progress figures, stop,
// failure, pause and resume.
import type { Run, RunCounts, Tier } from '../../protocol/index.ts';
import { isActive } from './tally.ts';

export function emptyCounts(): RunCounts {
  return {
    scanned: 0,
    inCommon: 0,
    unmatched: 0,
    ambiguous: 0,
    skipped: 0,
    updatedSalesforce: 0,
    updatedIntercom: 0,
    unchanged: 0,
    failed: 0,
    wouldUpdateSalesforce: 0,
    wouldUpdateIntercom: 0,
    inDoubt: 0,
  };
}

/** Sortable by time (base-36 milliseconds first) and unique enough with a random tail. */
export function makeRunId(now: number, random: string): string {
  return `r${now.toString(36)}${random}`.slice(0, 64);
}

export interface NewRun {
  runId: string;
  ws: string;
  startedBy: string;
  dryRun: boolean;
  settingsRevision: number;
  now: number;
  errorsUrl: string | null;
}

export function newRun(o: NewRun): Run {
  return {
    runId: o.runId,
    ws: o.ws,
    status: 'running',
    phase: 'index',
    reason: null,
    detail: null,
    dryRun: o.dryRun,
    startedBy: o.startedBy,
    startedAt: o.now,
    finishedAt: null,
    settingsRevision: o.settingsRevision,
    indexContacts: 0,
    indexListed: 0,
    indexTotal: null,
    expectedRecords: null,
    counts: emptyCounts(),
    percent: 0,
    ratePerSecond: 0,
    etaSeconds: null,
    sample: [],
    errorsUrl: o.errorsUrl,
  };
}

const round1 = (n: number) => Math.round(n * 10) / 10;

/** The run's work in records: the Intercom contacts the index refresh lists (as many as Intercom
 * reported), then the Salesforce records scanned (as many as Salesforce counted). `total` is null
 * until Salesforce's count is known. */
export function workOf(run: Run): { done: number; total: number | null } {
  const indexTotal = run.indexTotal ?? 0;
  const indexDone = run.phase === 'index' ? Math.min(run.indexListed, indexTotal) : indexTotal;
  const done = indexDone + run.counts.scanned;
  return { done, total: run.expectedRecords === null ? null : indexTotal + run.expectedRecords };
}

/** Percent of the run's work (so it moves in the index phase too); records scanned a second. */
export function withProgress(run: Run, now: number): Run {
  const end = run.finishedAt ?? now;
  const seconds = Math.max(0.001, (end - run.startedAt) / 1000);
  const rate = run.counts.scanned / seconds;
  const { done, total } = workOf(run);
  const percent = total ? Math.min(99.9, (100 * done) / total) : 0;
  const eta = total && done > 0 && isActive(run) ? Math.max(0, (total - done) / (done / seconds)) : null;
  if (run.status === 'completed') return { ...run, percent: 100, ratePerSecond: round1(rate), etaSeconds: 0 };
  return { ...run, percent: round1(percent), ratePerSecond: round1(rate), etaSeconds: eta === null ? null : Math.round(eta) };
}

/** A stop or failure ends the run for good: it is never resumed. */
export function endRun(run: Run, status: 'stopped' | 'failed', reason: string, now: number, detail: string | null = null): Run {
  if (!isActive(run)) return run;
  return withProgress({ ...run, status, reason, detail, finishedAt: now, etaSeconds: null }, now);
}

/** What the run detail says of a run failed because one of its work items was dead-lettered. */
export function deadLetterDetail(d: {
  run: string;
  stage: string;
  type: string | null;
  reason: string;
  error: string;
  dlqSeq: number;
}): string {
  return (
    `A ${d.stage} work item (${d.type ?? 'of unknown type'}) could not be processed (${d.reason}): ${d.error}. ` +
    `It is dead letter #${d.dlqSeq} (peoplesync dlq list --run ${d.run}). Fix the cause, then start a new run.`
  );
}

export const COORDINATOR_LOST_DETAIL =
  "The coordinator's process was lost, and runs are never resumed. The counts are what every worker " +
  'recorded for this run; work in flight when it failed may still add to them (peoplesync bulk history).';

/** Bulk work has no tokens at bulk_paused and worse: show it; back to running at normal. */
export function applyTier(run: Run, tier: Tier): Run {
  if (!isActive(run)) return run;
  if (tier === 'normal') return run.status === 'paused' ? { ...run, status: 'running', reason: null } : run;
  return run.status === 'running' ? { ...run, status: 'paused', reason: 'api_capacity' } : run;
}

/** Newest first, at most `limit`. */
export function newestFirst(runs: Run[], limit: number): Run[] {
  return [...runs].sort((a, b) => b.startedAt - a.startedAt || (a.runId < b.runId ? 1 : -1)).slice(0, limit);
}
