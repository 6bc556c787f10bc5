// How a bulk run looks on a terminal: the one-line progress bar, the summary and the history
// table. Pure; the bulk and demo commands print these.
import type { Run } from '../../protocol/index.ts';

const n = (v: number) => v.toLocaleString('en-US');

export function clock(seconds: number | null): string {
  if (seconds === null || !Number.isFinite(seconds)) return '--:--';
  const s = Math.max(0, Math.round(seconds));
  const h = Math.floor(s / 3600);
  const mm = String(Math.floor((s % 3600) / 60)).padStart(2, '0');
  const ss = String(s % 60).padStart(2, '0');
  return h ? `${h}:${mm}:${ss}` : `${mm}:${ss}`;
}

/** `[########............]  42.0%  contacts  4,200/10,000  1,234/s  ETA 00:05  sf 120  ic 80  failed 0` */
export function progressLine(run: Run, width = 24): string {
  const pct = Math.max(0, Math.min(100, run.percent));
  const filled = Math.round((pct / 100) * width);
  const bar = `[${'#'.repeat(filled)}${'.'.repeat(width - filled)}]`;
  const of = run.expectedRecords === null ? '' : `/${n(run.expectedRecords)}`;
  const state = run.status === 'running' ? run.phase : run.reason ? `${run.status} (${run.reason})` : run.status;
  // The index phase lists Intercom contacts before any record is scanned.
  const done =
    run.phase === 'index'
      ? `${n(run.indexListed)}${run.indexTotal === null ? '' : `/${n(run.indexTotal)}`} contacts listed`
      : `${n(run.counts.scanned)}${of} scanned`;
  const c = run.counts;
  const writes = run.dryRun
    ? `would update sf ${n(c.wouldUpdateSalesforce)}  ic ${n(c.wouldUpdateIntercom)}`
    : `updated sf ${n(c.updatedSalesforce)}  ic ${n(c.updatedIntercom)}`;
  return (
    `${bar} ${pct.toFixed(1).padStart(5)}%  ${state}  ${done}  ${n(Math.round(run.ratePerSecond))}/s  ` +
    `ETA ${clock(run.etaSeconds)}  ${writes}  failed ${n(c.failed)}`
  );
}

export function summary(run: Run): string {
  const c = run.counts;
  const end = run.finishedAt ?? Date.now();
  const rows: Array<[string, string]> = [
    ['run', `${run.runId}${run.dryRun ? ' (dry run)' : ''}`],
    ['status', run.reason ? `${run.status} (${run.reason})` : run.status],
    ['phase', run.phase],
    ['started', `${new Date(run.startedAt).toISOString()} by ${run.startedBy}`],
    ['duration', clock((end - run.startedAt) / 1000)],
    ['scanned', `${n(c.scanned)}${run.expectedRecords === null ? '' : ` of ${n(run.expectedRecords)}`}`],
    ['in common', n(c.inCommon)],
    ['unmatched', n(c.unmatched)],
    ['ambiguous', n(c.ambiguous)],
    ['skipped', n(c.skipped)],
    ['updated in Salesforce', n(c.updatedSalesforce)],
    ['updated in Intercom', n(c.updatedIntercom)],
    ['unchanged', n(c.unchanged)],
    ['failed', n(c.failed)],
  ];
  if (run.dryRun) rows.push(['would update Salesforce', n(c.wouldUpdateSalesforce)], ['would update Intercom', n(c.wouldUpdateIntercom)]);
  if (c.failed + c.ambiguous > 0 && run.errorsUrl) rows.push(['sync errors', run.errorsUrl]);
  if (c.inDoubt) rows.push(['in doubt', `${n(c.inDoubt)} (a lost worker was writing them)`]);
  if (run.detail) rows.push(['what happened', run.detail]);
  const width = Math.max(...rows.map(([k]) => k.length));
  const out = rows.map(([k, v]) => `${k.padEnd(width)}  ${v}`);
  for (const s of run.sample) {
    out.push(
      `  sample ${s.sfObject} ${s.sfId} / ${s.icId}: ${s.changes.map((ch) => `${ch.attribute} ${JSON.stringify(ch.from)} -> ${JSON.stringify(ch.to)}`).join(', ')}`,
    );
  }
  return out.join('\n');
}

export function historyTable(runs: Run[]): string {
  if (runs.length === 0) return 'No bulk runs yet.';
  const head = ['STARTED (UTC)', 'RUN', 'BY', 'STATUS', 'SCANNED', 'SF', 'IC', 'FAILED', 'DURATION'];
  const rows = runs.map((r) => [
    new Date(r.startedAt).toISOString().replace('T', ' ').slice(0, 19),
    r.runId,
    r.startedBy,
    `${r.status}${r.reason ? ` (${r.reason})` : ''}${r.dryRun ? ' dry' : ''}`,
    n(r.counts.scanned),
    n(r.counts.updatedSalesforce),
    n(r.counts.updatedIntercom),
    n(r.counts.failed),
    clock(((r.finishedAt ?? Date.now()) - r.startedAt) / 1000),
  ]);
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  return [head, ...rows]
    .map((r) =>
      r
        .map((c, i) => c.padEnd(widths[i]))
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
}

/** 0 completed, 1 stopped or failed; an active run is not an outcome yet. */
export function exitCodeOf(run: Run | null): number {
  if (!run) return 0;
  return run.status === 'stopped' || run.status === 'failed' ? 1 : 0;
}
