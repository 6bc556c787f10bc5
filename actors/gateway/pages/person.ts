// A person's history: the changes synced for them, newest first, from the writer's audit events.
import type { PersonHistory, ReplyOf } from '../../../protocol/index.ts';
import type { Operator } from '../operators.ts';
import { DIRECTION_TEXT, type Part, escapeHtml, shown, unavailable, when } from './html.ts';
import { page } from './layout.ts';

export function renderPerson(o: {
  ws: string;
  key: string;
  operator: Operator;
  csrf: string;
  history: Part<ReplyOf<typeof PersonHistory>>;
}): string {
  let content: string;
  if (!o.history.ok) content = unavailable('History', o.history.error);
  else {
    const h = o.history.value;
    const rows = h.changes
      .map(
        (c) => `<tr><td>${when(c.at)}</td><td>${DIRECTION_TEXT[c.direction]}</td><td>${escapeHtml(c.attribute)}</td>
        <td class="old">${shown(c.from)}</td><td class="new">${shown(c.to)}</td><td>${escapeHtml(c.syncType)}</td><td>${escapeHtml(c.run ?? '–')}</td></tr>`,
      )
      .join('\n');
    content = `<p>Salesforce ${escapeHtml(h.sfIds.join(', ') || '–')} · Intercom ${escapeHtml(h.icIds.join(', ') || '–')}${
      h.truncated ? ` · the newest ${h.changes.length} changes` : ''
    }</p>
    ${
      h.changes.length
        ? `<table id="history"><thead><tr><th>Time</th><th>Direction</th><th>Attribute</th><th>Old value</th><th>New value</th><th>Sync type</th><th>Run</th></tr></thead>
    <tbody>${rows}</tbody></table>`
        : '<p data-testid="history-empty">No changes were synced for this person in the events kept.</p>'
    }`;
  }
  const body = `<h1>History of ${escapeHtml(o.key)}</h1>\n<section id="person">${content}</section>`;
  return page({ title: `peoplesync · ${o.ws} · ${o.key}`, operator: o.operator, csrf: o.csrf, ws: o.ws, tab: 'people' }, body);
}
