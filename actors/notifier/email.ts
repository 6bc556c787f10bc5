// The run-finished email: subject and a plain-text summary. Pure.
import { type Run, consolePaths, consoleUrl } from '../../protocol/index.ts';

export interface Email {
  subject: string;
  text: string;
}

export function formatDuration(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const sec = s % 60;
  if (h) return `${h}h ${m}m ${sec}s`;
  if (m) return `${m}m ${sec}s`;
  return `${sec}s`;
}

const n = (v: number) => v.toLocaleString('en-US');

function statusWord(run: Run): string {
  return run.status === 'completed' ? 'completed' : run.status === 'stopped' ? 'stopped' : run.status === 'failed' ? 'failed' : run.status;
}

export function errorsLink(run: Run, publicUrl: string): string {
  return run.errorsUrl ?? consoleUrl(publicUrl, consolePaths.errors(run.ws));
}

export function runFinishedEmail(run: Run, publicUrl: string): Email {
  const c = run.counts;
  const end = run.finishedAt ?? run.startedAt;
  const rows: Array<[string, string]> = [
    ['Run', run.runId],
    ['Started', `${new Date(run.startedAt).toISOString()} by ${run.startedBy}`],
    ['Finished', new Date(end).toISOString()],
    ['Duration', formatDuration(end - run.startedAt)],
    ['Settings revision', String(run.settingsRevision)],
    ['Dry run', run.dryRun ? 'yes (nothing was written)' : 'no'],
    ['Records scanned', n(c.scanned)],
    ['In common', n(c.inCommon)],
    ['Unmatched', n(c.unmatched)],
    ['Ambiguous', n(c.ambiguous)],
    ['Skipped', n(c.skipped)],
    ['Updated in Salesforce', n(c.updatedSalesforce)],
    ['Updated in Intercom', n(c.updatedIntercom)],
    ['Unchanged', n(c.unchanged)],
    ['Failed', n(c.failed)],
  ];
  if (c.inDoubt) rows.push(['In doubt (a lost worker was writing them)', n(c.inDoubt)]);
  if (run.dryRun) {
    rows.push(['Would update in Salesforce', n(c.wouldUpdateSalesforce)], ['Would update in Intercom', n(c.wouldUpdateIntercom)]);
  }
  if (run.reason) rows.push(['Reason', run.reason]);
  if (run.detail) rows.push(['What happened', run.detail]);
  const width = Math.max(...rows.map(([k]) => k.length)) + 1;
  const errors = c.failed + c.ambiguous;
  const lines = [
    `The bulk sync of workspace ${run.ws} ${statusWord(run)}.`,
    '',
    ...rows.map(([k, v]) => `${(k + ':').padEnd(width)} ${v}`),
    '',
    errors
      ? `Errors: ${n(errors)} record${errors === 1 ? '' : 's'} could not be synced (${n(c.failed)} failed, ${n(c.ambiguous)} ambiguous). Details: ${errorsLink(run, publicUrl)}`
      : `Errors: none. Sync errors are listed at ${errorsLink(run, publicUrl)}`,
  ];
  return { subject: `peoplesync: bulk sync ${statusWord(run)} (${run.ws})`, text: lines.join('\n') + '\n' };
}
