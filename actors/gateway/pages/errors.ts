// The Sync Errors tab: time, cause, sync type and record of each error, filters by cause, type and
// direction, a Details view per error (the Salesforce or Intercom status code and message,
// attempts, first and last seen) and Retry. A retried row leaves the list once the record syncs.
import { ErrorCauseSchema, type SyncError, SyncTypeSchema, consolePaths } from '../../../protocol/index.ts';
import type { Operator } from '../operators.ts';
import { DIRECTION_TEXT, type Part, escapeHtml, fmt, shown, unavailable, when } from './html.ts';
import { page } from './layout.ts';

export interface ErrorFilters {
  cause?: string;
  syncType?: string;
  direction: 'intercom_to_salesforce' | 'salesforce_to_intercom' | 'all';
}

function record(ws: string, e: SyncError): string {
  const link = (key: string, text: string) => `<a href="${escapeHtml(consolePaths.person(ws, key))}">${escapeHtml(text)}</a>`;
  const sf = e.sfId ? link(e.sfId, `${e.sfObject ?? 'Salesforce'} ${e.sfId}`) : '';
  const ic = e.icId ? link(e.icId, `Intercom ${e.icId}`) : '';
  return [sf, ic].filter(Boolean).join('<br>');
}

function retryButton(e: SyncError, canChange: boolean): string {
  return `<button type="button" class="retry" data-id="${escapeHtml(e.id)}"${canChange ? '' : ' disabled'}>Retry</button>
      <span class="retry-status" role="status"></span>`;
}

function row(ws: string, e: SyncError, canChange: boolean): string {
  return `<tr data-error-id="${escapeHtml(e.id)}">
      <td>${when(e.lastAt)}</td><td>${escapeHtml(e.cause)}</td><td>${escapeHtml(e.syncType)}</td>
      <td>${DIRECTION_TEXT[e.direction]}</td><td>${record(ws, e)}</td>
      <td class="message">${escapeHtml(e.message)}${e.attributes.length ? `<br><small>${escapeHtml(e.attributes.join(', '))}</small>` : ''}</td>
      <td class="attempts">${e.attempts}</td>
      <td><a class="details" href="${escapeHtml(consolePaths.error(ws, e.id))}">Details</a> ${retryButton(e, canChange)}</td>
    </tr>`;
}

function select(name: string, label: string, values: readonly string[], current: string | undefined, all: string): string {
  const opts = [
    `<option value="">${escapeHtml(all)}</option>`,
    ...values.map((v) => `<option${v === current ? ' selected' : ''}>${escapeHtml(v)}</option>`),
  ];
  return `<label>${escapeHtml(label)} <select name="${name}">${opts.join('')}</select></label>`;
}

export function renderErrors(o: {
  ws: string;
  operator: Operator;
  csrf: string;
  filters: ErrorFilters;
  errors: Part<{ errors: SyncError[]; total: number }>;
}): string {
  const canChange = o.operator.role === 'admin';
  const f = o.filters;
  const dir = Object.entries({ ...DIRECTION_TEXT, all: 'Both directions' })
    .map(([v, t]) => `<option value="${v}"${v === f.direction ? ' selected' : ''}>${escapeHtml(t)}</option>`)
    .join('');
  const list = o.errors.ok
    ? `<p>Showing ${o.errors.value.errors.length} of <strong data-testid="errors-total">${fmt(o.errors.value.total)}</strong> sync errors
      ${f.direction === 'all' ? '' : `· <a href="?all=1">Show both directions</a>`}</p>
    <table><thead><tr><th>Time</th><th>Cause</th><th>Sync type</th><th>Direction</th><th>Record</th><th>Message</th><th>Attempts</th><th></th></tr></thead>
    <tbody>${o.errors.value.errors.map((e) => row(o.ws, e, canChange)).join('\n')}</tbody></table>`
    : unavailable('Sync errors', o.errors.error);
  const body = `<h1>Sync errors</h1>
<section id="errors">
  <form id="error-filters" method="get">
    ${select('cause', 'Cause', ErrorCauseSchema.options, f.cause, 'Any cause')}
    ${select('syncType', 'Sync type', SyncTypeSchema.options, f.syncType, 'Any type')}
    <label>Direction <select name="direction">${dir}</select></label>
    <button type="submit">Filter</button>
  </form>
  ${list}
</section>`;
  return page(
    { title: `peoplesync · ${o.ws} · sync errors`, operator: o.operator, csrf: o.csrf, ws: o.ws, tab: 'errors', data: { page: 'errors' } },
    body,
  );
}

/** The status code Salesforce or Intercom answered, as the writer kept it in the details. */
export function statusCodeOf(e: SyncError): string | null {
  const d = e.details as Record<string, unknown>;
  for (const k of ['statusCode', 'errorCode', 'code', 'status']) {
    const v = d[k];
    if (typeof v === 'string' || typeof v === 'number') return String(v);
  }
  return null;
}

export function renderErrorDetails(o: { ws: string; operator: Operator; csrf: string; error: SyncError }): string {
  const e = o.error;
  const rows: Array<[string, string]> = [
    ['Cause', escapeHtml(e.cause)],
    ['Status code', escapeHtml(statusCodeOf(e) ?? '–')],
    ['Message', escapeHtml(e.message)],
    ['Sync type', escapeHtml(e.syncType)],
    ['Direction', DIRECTION_TEXT[e.direction]],
    ['Record', record(o.ws, e) || '–'],
    ['Attributes', escapeHtml(e.attributes.join(', ') || '–')],
    ['Attempts', String(e.attempts)],
    ['First seen', when(e.firstAt)],
    ['Last seen', when(e.lastAt)],
    ['Bulk run', escapeHtml(e.run ?? '–')],
  ];
  const details = Object.entries(e.details)
    .map(([k, v]) => `<dt>${escapeHtml(k)}</dt><dd><code>${shown(v)}</code></dd>`)
    .join('');
  const body = `<h1>Sync error ${escapeHtml(e.id)}</h1>
<section id="error-details" data-error-id="${escapeHtml(e.id)}">
  <table class="facts"><tbody>${rows.map(([k, v]) => `<tr><th>${k}</th><td data-field="${escapeHtml(k)}">${v}</td></tr>`).join('')}</tbody></table>
  <h2>As the ${e.direction === 'intercom_to_salesforce' ? 'Salesforce' : 'Intercom'} API answered</h2>
  <dl class="details">${details || '<dt>–</dt>'}</dl>
  <p>${retryButton(e, o.operator.role === 'admin')}</p>
  <p><a href="${escapeHtml(consolePaths.errors(o.ws))}">All sync errors</a></p>
</section>`;
  return page(
    { title: `peoplesync · ${o.ws} · sync error`, operator: o.operator, csrf: o.csrf, ws: o.ws, tab: 'errors', data: { page: 'error' } },
    body,
  );
}
