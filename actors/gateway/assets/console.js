// The console's only script (served by the gateway, no build step). It follows the workspace's
// bulk run and API usage live (server-sent events), starts and stops runs, edits and saves the
// settings (showing each refused mapping's reason next to its row, and asking before a save that
// stops a running sync), and retries sync errors. Every change carries the page's CSRF token.
(() => {
  'use strict';

  const $ = (sel, root = document) => root.querySelector(sel);
  const $$ = (sel, root = document) => Array.from(root.querySelectorAll(sel));
  const csrf = $('meta[name=csrf-token]')?.content ?? '';
  const ws = document.body.dataset.ws;
  const dataEl = document.getElementById('page-data');
  const data = dataEl ? JSON.parse(dataEl.textContent) : {};
  const ACTIVE = ['running', 'paused'];
  const num = (n) => (n === null || n === undefined ? '–' : Number(n).toLocaleString('en-US'));
  const when = (ms) => new Date(ms).toISOString().replace('T', ' ').slice(0, 19) + ' UTC';

  class ApiError extends Error {
    constructor(status, body) {
      super(body?.error?.message ?? `HTTP ${status}`);
      this.status = status;
      this.code = body?.error?.code;
      this.details = body?.error?.details;
    }
  }

  async function api(method, path, body) {
    const headers = { 'x-csrf-token': csrf, accept: 'application/json' };
    if (body !== undefined) headers['content-type'] = 'application/json';
    const res = await fetch(`/api/${encodeURIComponent(ws)}${path}`, {
      method,
      headers,
      credentials: 'same-origin',
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const json = await res.json().catch(() => null);
    if (!res.ok) throw new ApiError(res.status, json);
    return json;
  }

  // ---- Sync errors: retry a row, and drop it once the record syncs -------------------------

  const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

  async function followRetry(id, before, row, status, button) {
    for (let i = 0; i < 60; i++) {
      await sleep(1000);
      let now;
      try {
        now = (await api('GET', `/errors/${encodeURIComponent(id)}`)).error;
      } catch (err) {
        if (err.status !== 404) continue;
        status.textContent = 'Resolved';
        const list = row?.closest('tbody');
        if (list) {
          row.remove();
          const total = $('[data-testid=errors-total]');
          if (total) total.textContent = num(Math.max(0, Number(total.textContent.replace(/,/g, '')) - 1));
        }
        return;
      }
      if (now.lastAt !== before) {
        status.textContent = `Retry failed again: ${now.message}`;
        button.disabled = false;
        return;
      }
    }
    status.textContent = 'Retry queued; still pending';
    button.disabled = false;
  }

  document.addEventListener('click', async (ev) => {
    const b = ev.target.closest('button.retry');
    if (!b) return;
    const status = b.parentElement.querySelector('.retry-status');
    const row = b.closest('tr[data-error-id]');
    b.disabled = true;
    status.textContent = 'Retrying…';
    try {
      const before = (await api('GET', `/errors/${encodeURIComponent(b.dataset.id)}`)).error.lastAt;
      const r = await api('POST', '/errors/retry', { ids: [b.dataset.id] });
      status.textContent = r.queued ? 'Retry queued' : 'Nothing to retry';
      if (r.queued) void followRetry(b.dataset.id, before, row, status, b);
    } catch (err) {
      status.textContent = `Retry failed: ${err.message}`;
      b.disabled = false;
    }
  });

  if (data.page !== 'workspace') return;

  // ---- The current run and the API usage, live ---------------------------------------------

  const canChange = data.canChange === true;
  let run = data.run;

  function statusText(r) {
    const reason = r.reason ? ` (${r.reason === 'api_capacity' ? 'waiting for API capacity' : r.reason})` : '';
    return `Run ${r.runId}${r.dryRun ? ' (dry run)' : ''}: ${r.status}${ACTIVE.includes(r.status) ? `, ${r.phase}` : ''}${reason}`;
  }

  function setButtons() {
    const active = !!run && ACTIVE.includes(run.status);
    $('#bulk-start').disabled = !canChange || active;
    $('#bulk-dry-run').disabled = !canChange || active;
    $('#bulk-stop').disabled = !canChange || !active;
  }

  function showRun(r) {
    const wasActive = !!run && ACTIVE.includes(run.status);
    const isNew = !run || run.runId !== r.runId;
    run = r;
    const pct = Math.max(0, Math.min(100, Math.floor(r.percent)));
    const c = r.counts;
    $('#bulk').dataset.status = r.status;
    $('#run').innerHTML = `<p data-testid="bulk-status"></p>
      <p><progress max="100" value="${pct}">${pct}%</progress> <strong data-testid="bulk-percent">${pct}%</strong>
      <span data-testid="bulk-eta">${r.etaSeconds !== null && r.status === 'running' ? `about ${num(Math.ceil(r.etaSeconds / 60))} min left` : ''}</span></p>
      <p data-testid="bulk-counts">Scanned ${num(c.scanned)}, in common ${num(c.inCommon)}, updated ${num(c.updatedSalesforce)} in Salesforce and
      ${num(c.updatedIntercom)} in Intercom, unchanged ${num(c.unchanged)}, failed ${num(c.failed)}${c.inDoubt ? `, in doubt ${num(c.inDoubt)} (a lost worker was writing them)` : ''}.</p>
      <p class="started"></p>`;
    $('[data-testid=bulk-status]').textContent = statusText(r);
    $('#run .started').textContent =
      `Started ${when(r.startedAt)} by ${r.startedBy}${r.finishedAt ? `, finished ${when(r.finishedAt)}` : ''}.`;
    setButtons();
    if (isNew || (wasActive && !ACTIVE.includes(r.status))) void refreshHistory();
  }

  async function refreshHistory() {
    const body = $('#runs tbody');
    if (!body) return;
    const { runs } = await api('GET', '/bulk/history?limit=10').catch(() => ({ runs: null }));
    if (!runs) return;
    body.replaceChildren(
      ...runs.map((r) => {
        const tr = document.createElement('tr');
        tr.dataset.runId = r.runId;
        const c = r.counts;
        const cells = [
          when(r.startedAt),
          r.startedBy,
          `${r.status}${r.reason ? ` (${r.reason})` : ''}${r.dryRun ? ', dry run' : ''}`,
          num(c.scanned),
          num(c.inCommon),
          num(r.dryRun ? c.wouldUpdateSalesforce : c.updatedSalesforce),
          num(r.dryRun ? c.wouldUpdateIntercom : c.updatedIntercom),
          num(c.unchanged),
          num(c.failed),
        ];
        for (const text of cells) tr.append(Object.assign(document.createElement('td'), { textContent: text }));
        return tr;
      }),
    );
  }

  const TIER_TEXT = {
    normal: 'All sync running',
    bulk_paused: 'Bulk sync paused (40% of the limit used)',
    event_paused: 'Event sync paused (80% of the limit used); interactive look-ups only',
    exhausted: 'All sync paused: the limit is used up',
  };

  function showUsage(u) {
    const section = $('#usage');
    if (!section || !$('[data-testid=used-workspace]', section)) return;
    section.dataset.tier = u.tier;
    const total = u.orgLimit ?? u.definedLimit;
    const pct = (n) => (total ? Math.min(100, Math.round((1000 * n) / total) / 10) : 0);
    const mine = pct(u.usedByWorkspace);
    const others = Math.min(100 - mine, pct(u.usedByOthers ?? 0));
    $('rect.mine', section).setAttribute('width', String(mine));
    $('rect.others', section).setAttribute('x', String(mine));
    $('rect.others', section).setAttribute('width', String(others));
    $('[data-testid=org-limit]', section).textContent = num(u.orgLimit);
    $('[data-testid=used-workspace]', section).textContent = num(u.usedByWorkspace);
    $('[data-testid=used-others]', section).textContent = num(u.usedByOthers);
    $('[data-testid=defined-limit]', section).textContent = u.definedLimit ? num(u.definedLimit) : 'not defined yet';
    $('[data-testid=usage-percent]', section).textContent = `${Math.floor(u.consumptionPercent)}%`;
    $('meter', section).value = Math.min(100, Math.floor(u.consumptionPercent));
    $('[data-testid=usage-tier]', section).textContent = u.definedLimit
      ? TIER_TEXT[u.tier]
      : 'No limit defined yet: save settings to start syncing';
    const warning = $('[data-testid=usage-warning]', section);
    warning.textContent = u.warning ?? '';
    warning.hidden = !u.warning;
  }

  const events = new EventSource(`/ws/${encodeURIComponent(ws)}/events`);
  events.addEventListener('run', (e) => showRun(JSON.parse(e.data)));
  events.addEventListener('usage', (e) => showUsage(JSON.parse(e.data)));

  async function bulk(path, body) {
    const message = $('#bulk-message');
    message.textContent = '';
    try {
      const r = await api('POST', path, body);
      if (r.run) showRun(r.run);
      else message.textContent = 'No bulk sync is running.';
    } catch (err) {
      message.textContent = err.message;
    }
  }
  $('#bulk-start').addEventListener('click', () => bulk('/bulk/start', { dryRun: false }));
  $('#bulk-dry-run').addEventListener('click', () => bulk('/bulk/start', { dryRun: true }));
  $('#bulk-stop').addEventListener('click', () => bulk('/bulk/stop', { reason: 'user' }));
  setButtons();

  // ---- The settings form ---------------------------------------------------------------------

  const form = $('#settings-form');
  if (!form) return;
  const schema = data.schema;
  const rowsBody = $('#mapping-rows');
  const DIRECTIONS = { salesforce_to_intercom: 'Salesforce → Intercom', intercom_to_salesforce: 'Intercom → Salesforce' };

  function fill(select, items, current) {
    select.replaceChildren(
      ...items.map((i) => {
        const o = new Option(i.text, i.value, false, i.value === current);
        o.dataset.kind = i.kind ?? '';
        return o;
      }),
    );
  }
  const fieldItems = (object) =>
    (schema?.fields[object] ?? []).map((f) => ({ value: f.name, text: `${f.label} (${f.name}) · ${f.type}`, kind: f.kind }));
  const attributeItems = () =>
    (schema?.attributes ?? []).map((a) => ({ value: a.fullName, text: `${a.label} (${a.fullName}) · ${a.dataType}`, kind: a.kind }));

  function newRow() {
    const tr = document.createElement('tr');
    tr.className = 'mapping';
    const cell = (child) => {
      const td = document.createElement('td');
      if (child) td.append(child);
      return td;
    };
    const select = (name, label) => Object.assign(document.createElement('select'), { name, ariaLabel: label });
    const object = select('sfObject', 'Salesforce object');
    fill(
      object,
      ['Lead', 'Contact'].map((o) => ({ value: o, text: o })),
      'Lead',
    );
    const field = select('sfField', 'Salesforce field');
    fill(field, fieldItems('Lead'));
    const direction = select('direction', 'Direction');
    fill(
      direction,
      Object.entries(DIRECTIONS).map(([value, text]) => ({ value, text })),
      'salesforce_to_intercom',
    );
    const attribute = select('icAttribute', 'Intercom attribute');
    fill(attribute, attributeItems());
    const remove = Object.assign(document.createElement('button'), { type: 'button', className: 'remove', textContent: 'Remove' });
    const problems = cell();
    problems.className = 'problems';
    problems.dataset.testid = 'row-problem';
    problems.setAttribute('role', 'alert');
    tr.append(cell(object), cell(field), cell(direction), cell(attribute), cell(remove), problems);
    return tr;
  }

  $('#add-mapping')?.addEventListener('click', () => rowsBody.append(newRow()));
  rowsBody.addEventListener('click', (ev) => {
    if (ev.target.closest('button.remove')) ev.target.closest('tr').remove();
  });
  rowsBody.addEventListener('change', (ev) => {
    if (ev.target.name !== 'sfObject') return;
    const tr = ev.target.closest('tr');
    fill($('select[name=sfField]', tr), fieldItems(ev.target.value));
  });

  function mappingOf(tr, used) {
    const v = (name) => $(`select[name=${name}]`, tr).value;
    const m = { sfObject: v('sfObject'), sfField: v('sfField'), icAttribute: v('icAttribute'), direction: v('direction') };
    let id = tr.dataset.id;
    if (!id) {
      const base =
        `${m.sfObject}-${m.sfField}-${m.direction === 'salesforce_to_intercom' ? 'to' : 'from'}-${m.icAttribute.replace('custom_attributes.', '')}`.toLowerCase();
      id = base;
      for (let n = 2; used.has(id); n++) id = `${base}-${n}`;
    }
    used.add(id);
    return { id, ...m };
  }

  const numberOr = (text) => (text.trim() !== '' && Number.isFinite(Number(text)) ? Number(text) : text.trim() === '' ? undefined : text);

  function settingsFromForm() {
    const rows = $$('tr.mapping', rowsBody);
    const used = new Set(rows.map((tr) => tr.dataset.id).filter(Boolean));
    const field = (name) => form.elements.namedItem(name).value;
    const settings = {
      ...(data.settings ?? {}),
      sfApiLimit: numberOr(field('sfApiLimit')),
      installerEmail: field('installerEmail'),
      pollIntervalSeconds: numberOr(field('pollIntervalSeconds')),
      timeZone: field('timeZone'),
      intercomWebhookSecretRef: field('intercomWebhookSecretRef'),
      mappings: rows.map((tr) => mappingOf(tr, used)),
    };
    return { settings, rows };
  }

  const saveStatus = $('#save-status');
  const problemList = $('#save-problems');
  const dialog = $('#confirm-stop');
  let pending = null;

  function clearProblems() {
    problemList.replaceChildren();
    for (const td of $$('td.problems', rowsBody)) td.textContent = '';
    for (const tr of $$('tr.mapping', rowsBody)) tr.classList.remove('refused');
  }

  function showProblems(problems, rows) {
    for (const p of problems) {
      const at = /^mappings\.(\d+)(\.|$)/.exec(p.path);
      const tr = at ? rows[Number(at[1])] : null;
      if (tr) {
        tr.classList.add('refused');
        const td = $('td.problems', tr);
        td.textContent = td.textContent ? `${td.textContent} ${p.message}` : p.message;
      } else {
        problemList.append(Object.assign(document.createElement('li'), { textContent: p.message }));
      }
    }
  }

  async function save(confirmStopBulk) {
    const { settings, rows } = pending;
    clearProblems();
    saveStatus.textContent = 'Saving…';
    try {
      const r = await api('PUT', '/settings', { settings, confirmStopBulk });
      data.settings = (await api('GET', '/settings')).settings;
      rows.forEach((tr, i) => (tr.dataset.id = settings.mappings[i].id));
      form.dataset.revision = String(r.revision);
      saveStatus.textContent = `Saved (revision ${r.revision})${r.stoppedRun ? `; bulk sync ${r.stoppedRun} stopped` : ''}.`;
    } catch (err) {
      if (err.code === 'bulk_running') {
        saveStatus.textContent = '';
        dialog.showModal();
        return;
      }
      const problems = err.details?.problems;
      if (err.code === 'invalid_settings' && Array.isArray(problems)) {
        saveStatus.textContent = `Settings refused, nothing was saved: ${problems.length} problem${problems.length === 1 ? '' : 's'}.`;
        showProblems(problems, rows);
      } else {
        saveStatus.textContent = `Not saved: ${err.message}`;
      }
    }
  }

  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    if (!canChange) return;
    pending = settingsFromForm();
    void save(false);
  });
  $('#confirm-save').addEventListener('click', () => {
    dialog.close();
    void save(true);
  });
  $('#confirm-cancel').addEventListener('click', () => {
    dialog.close();
    saveStatus.textContent = 'Nothing was saved.';
  });
})();
