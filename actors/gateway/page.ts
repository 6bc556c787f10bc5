// The workspace page: server-rendered HTML with no build step. It shows the Salesforce API usage
// indicator with its warning, the current bulk run's progress and the latest sync errors, each
// with a Retry button that posts to the JSON API. Pure: every value is escaped here.
import type { Run, SyncError, UsageIndicator } from '../../protocol/index.ts';

/** A section's data, or why it could not be had (the actor that serves it is down, say). */
export type Part<T> = { ok: true; value: T } | { ok: false; error: string };

export interface PageData {
  ws: string;
  usage: Part<UsageIndicator>;
  run: Part<Run | null>;
  errors: Part<{ errors: SyncError[]; total: number }>;
  /** Showing both directions rather than Intercom-to-Salesforce only. */
  allDirections: boolean;
}

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };
export function escapeHtml(s: unknown): string {
  return String(s).replace(/[&<>"']/g, (c) => ESCAPES[c]);
}

const fmt = (n: number | null | undefined) => (n === null || n === undefined ? '–' : n.toLocaleString('en-US'));
const when = (ms: number) => new Date(ms).toISOString().replace('T', ' ').slice(0, 19) + ' UTC';
const unavailable = (what: string, error: string) => `<p class="unavailable">${escapeHtml(what)} unavailable: ${escapeHtml(error)}</p>`;

const TIER_TEXT: Record<UsageIndicator['tier'], string> = {
  normal: 'All sync running',
  bulk_paused: 'Bulk sync paused (40% of the limit used)',
  event_paused: 'Event sync paused (80% of the limit used); interactive look-ups only',
  exhausted: 'All sync paused: the limit is used up',
};

export function renderUsage(p: Part<UsageIndicator>): string {
  if (!p.ok) return unavailable('Usage', p.error);
  const u = p.value;
  const percent = Math.min(100, Math.floor(u.consumptionPercent));
  return `<section id="usage" data-tier="${escapeHtml(u.tier)}">
  <h2>Salesforce API usage</h2>
  <p><meter min="0" max="100" low="40" high="80" optimum="0" value="${percent}">${percent}%</meter>
    <strong data-testid="usage-percent">${percent}%</strong> of this workspace's limit:
    ${fmt(u.usedByWorkspace)} of ${fmt(u.definedLimit)} calls in the last 24 hours, ${fmt(u.remaining)} left.</p>
  <p>Organisation: ${fmt(u.orgUsed)} of ${fmt(u.orgLimit)} calls used, ${fmt(u.usedByOthers)} by other integrations.</p>
  <p data-testid="usage-tier">${escapeHtml(TIER_TEXT[u.tier])}</p>
  ${u.warning ? `<p class="warning" role="alert" data-testid="usage-warning">${escapeHtml(u.warning)}</p>` : ''}
</section>`;
}

export function renderRun(p: Part<Run | null>): string {
  if (!p.ok) return `<section id="bulk"><h2>Bulk sync</h2>${unavailable('Bulk status', p.error)}</section>`;
  const r = p.value;
  if (!r) return '<section id="bulk"><h2>Bulk sync</h2><p data-testid="bulk-none">No bulk sync has run yet.</p></section>';
  const percent = Math.max(0, Math.min(100, Math.floor(r.percent)));
  const c = r.counts;
  return `<section id="bulk" data-status="${escapeHtml(r.status)}">
  <h2>Bulk sync</h2>
  <p data-testid="bulk-status">Run ${escapeHtml(r.runId)}${r.dryRun ? ' (dry run)' : ''}: ${escapeHtml(r.status)}, ${escapeHtml(r.phase)}${r.reason ? ` (${escapeHtml(r.reason)})` : ''}</p>
  <p><progress max="100" value="${percent}">${percent}%</progress> <strong data-testid="bulk-percent">${percent}%</strong>
    ${r.etaSeconds !== null && r.status === 'running' ? `about ${fmt(Math.ceil(r.etaSeconds / 60))} min left` : ''}</p>
  <p>Scanned ${fmt(c.scanned)}, in common ${fmt(c.inCommon)}, updated ${fmt(c.updatedSalesforce)} in Salesforce and
    ${fmt(c.updatedIntercom)} in Intercom, unchanged ${fmt(c.unchanged)}, failed ${fmt(c.failed)}.</p>
  <p>Started ${when(r.startedAt)} by ${escapeHtml(r.startedBy)}${r.finishedAt ? `, finished ${when(r.finishedAt)}` : ''}.</p>
</section>`;
}

function record(e: SyncError): string {
  const sf = e.sfId ? `${e.sfObject ?? 'Salesforce'} ${e.sfId}` : '';
  const ic = e.icId ? `Intercom ${e.icId}` : '';
  return [sf, ic].filter(Boolean).map(escapeHtml).join('<br>');
}

function errorRow(e: SyncError): string {
  return `<tr data-error-id="${escapeHtml(e.id)}">
      <td>${when(e.lastAt)}</td><td>${escapeHtml(e.syncType)}</td>
      <td>${e.direction === 'intercom_to_salesforce' ? 'Intercom → Salesforce' : 'Salesforce → Intercom'}</td>
      <td>${record(e)}</td><td>${escapeHtml(e.cause)}</td>
      <td class="message">${escapeHtml(e.message)}${e.attributes.length ? `<br><small>${escapeHtml(e.attributes.join(', '))}</small>` : ''}</td>
      <td class="attempts">${e.attempts}</td>
      <td><button type="button" class="retry" data-id="${escapeHtml(e.id)}">Retry</button> <span class="retry-status" aria-live="polite"></span></td>
    </tr>`;
}

export function renderErrors(ws: string, p: Part<{ errors: SyncError[]; total: number }>, all: boolean): string {
  const toggle = all
    ? `<a href="/ws/${encodeURIComponent(ws)}">Intercom → Salesforce only</a>`
    : `<a href="/ws/${encodeURIComponent(ws)}?all=1">Show both directions</a>`;
  if (!p.ok) return `<section id="errors"><h2>Sync errors</h2>${unavailable('Sync errors', p.error)}</section>`;
  const { errors, total } = p.value;
  const body =
    errors.length === 0
      ? '<p data-testid="errors-none">No sync errors.</p>'
      : `<table><thead><tr><th>Last seen</th><th>Sync</th><th>Direction</th><th>Record</th><th>Cause</th><th>Message</th><th>Attempts</th><th></th></tr></thead>
    <tbody>${errors.map(errorRow).join('')}</tbody></table>`;
  return `<section id="errors">
  <h2>Sync errors</h2>
  <p><span data-testid="errors-total">${fmt(total)}</span> ${all ? 'in both directions' : 'from Intercom to Salesforce'}${total > errors.length ? `, latest ${errors.length} shown` : ''}. ${toggle}</p>
  ${body}
</section>`;
}

// Posts as JSON: a form on another site cannot send that content type without a CORS preflight,
// which the gateway never grants.
const SCRIPT = `
document.addEventListener('click', async (ev) => {
  const b = ev.target.closest('button.retry');
  if (!b) return;
  const status = b.parentElement.querySelector('.retry-status');
  b.disabled = true;
  status.textContent = 'Retrying…';
  try {
    const res = await fetch('/api/' + encodeURIComponent(document.body.dataset.ws) + '/errors/retry', {
      method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ ids: [b.dataset.id], by: 'web' }),
    });
    const body = await res.json();
    if (!res.ok) throw new Error(body.error ? body.error.message : res.statusText);
    status.textContent = body.queued ? 'Retry queued' : 'Nothing to retry';
  } catch (err) {
    status.textContent = 'Retry failed: ' + err.message;
    b.disabled = false;
  }
});`;

const STYLE = `body{font:15px/1.45 system-ui,sans-serif;margin:2rem;color:#222;max-width:72rem}
h1{font-size:1.4rem}h2{font-size:1.1rem;margin-top:2rem}table{border-collapse:collapse;width:100%}
th,td{border-bottom:1px solid #ddd;padding:.35rem .5rem;text-align:left;vertical-align:top}
.warning{background:#fff4d6;border-left:4px solid #e0a000;padding:.5rem .75rem}.unavailable{color:#a00}
meter,progress{width:14rem}small{color:#666}`;

export function renderPage(d: PageData): string {
  return `<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>peoplesync · ${escapeHtml(d.ws)}</title><style>${STYLE}</style></head>
<body data-ws="${escapeHtml(d.ws)}">
<h1>peoplesync · workspace ${escapeHtml(d.ws)}</h1>
${renderUsage(d.usage)}
${renderRun(d.run)}
${renderErrors(d.ws, d.errors, d.allDirections)}
<script>${SCRIPT}</script>
</body>
</html>`;
}
