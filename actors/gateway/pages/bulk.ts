// Manual bulk sync: start (or a dry run), the current run's live progress, stop, and the history
// of runs with their counts. The page's script follows the run from the server's event stream.
import type { Run } from '../../../protocol/index.ts';
import { type Part, escapeHtml, fmt, unavailable, when } from './html.ts';

const ACTIVE = new Set(['running', 'paused']);

export function runStatusText(r: Run): string {
  const reason = r.reason ? ` (${r.reason === 'api_capacity' ? 'waiting for API capacity' : r.reason})` : '';
  return `Run ${r.runId}${r.dryRun ? ' (dry run)' : ''}: ${r.status}${ACTIVE.has(r.status) ? `, ${r.phase}` : ''}${reason}`;
}

function current(r: Run | null): string {
  if (!r)
    return '<p data-testid="bulk-status">No bulk sync has run yet.</p><p><progress max="100" value="0"></progress> <strong data-testid="bulk-percent">0%</strong></p>';
  const percent = Math.max(0, Math.min(100, Math.floor(r.percent)));
  const c = r.counts;
  return `<p data-testid="bulk-status">${escapeHtml(runStatusText(r))}</p>
  <p><progress max="100" value="${percent}">${percent}%</progress> <strong data-testid="bulk-percent">${percent}%</strong>
    <span data-testid="bulk-eta">${r.etaSeconds !== null && r.status === 'running' ? `about ${fmt(Math.ceil(r.etaSeconds / 60))} min left` : ''}</span></p>
  <p data-testid="bulk-counts">Scanned ${fmt(c.scanned)}, in common ${fmt(c.inCommon)}, updated ${fmt(c.updatedSalesforce)} in Salesforce and
    ${fmt(c.updatedIntercom)} in Intercom, unchanged ${fmt(c.unchanged)}, failed ${fmt(c.failed)}${c.inDoubt ? `, in doubt ${fmt(c.inDoubt)} (a lost worker was writing them)` : ''}.</p>
  <p>Started ${when(r.startedAt)} by ${escapeHtml(r.startedBy)}${r.finishedAt ? `, finished ${when(r.finishedAt)}` : ''}.</p>`;
}

export function historyRows(runs: Run[]): string {
  if (runs.length === 0) return '<tr><td colspan="9">No runs yet.</td></tr>';
  return runs
    .map((r) => {
      const c = r.counts;
      return `<tr data-run-id="${escapeHtml(r.runId)}"><td>${when(r.startedAt)}</td><td>${escapeHtml(r.startedBy)}</td>
      <td>${escapeHtml(r.status)}${r.reason ? ` (${escapeHtml(r.reason)})` : ''}${r.dryRun ? ', dry run' : ''}</td>
      <td>${fmt(c.scanned)}</td><td>${fmt(c.inCommon)}</td><td>${fmt(r.dryRun ? c.wouldUpdateSalesforce : c.updatedSalesforce)}</td>
      <td>${fmt(r.dryRun ? c.wouldUpdateIntercom : c.updatedIntercom)}</td><td>${fmt(c.unchanged)}</td><td>${fmt(c.failed)}</td></tr>`;
    })
    .join('\n');
}

export function renderBulk(run: Part<Run | null>, history: Part<Run[]>, canChange: boolean): string {
  const r = run.ok ? run.value : null;
  const active = !!r && ACTIVE.has(r.status);
  const disabled = (on: boolean) => (canChange && on ? '' : ' disabled');
  return `<section id="bulk" data-status="${escapeHtml(r?.status ?? 'none')}">
  <h2>Manual bulk sync</h2>
  <p class="hint">Updates every mapped attribute that differs, on every record the two systems have in common. It never creates
    records. A stopped sync can't be resumed: start a new one.</p>
  <p class="actions">
    <button type="button" id="bulk-start"${disabled(!active)}>Start manual bulk sync</button>
    <button type="button" id="bulk-dry-run"${disabled(!active)}>Dry run</button>
    <button type="button" id="bulk-stop"${disabled(active)}>Stop</button>
    <span id="bulk-message" role="status"></span></p>
  <div id="run">${run.ok ? current(r) : unavailable('Bulk status', run.error)}</div>
  <h3>Run history</h3>
  ${
    history.ok
      ? `<table id="runs"><thead><tr><th>Started</th><th>By</th><th>Status</th><th>Scanned</th><th>In common</th>
      <th>Updated in Salesforce</th><th>Updated in Intercom</th><th>Unchanged</th><th>Failed</th></tr></thead>
      <tbody>${historyRows(history.value)}</tbody></table>`
      : unavailable('Run history', history.error)
  }
</section>`;
}
