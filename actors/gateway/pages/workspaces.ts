// The workspace index: every workspace this gateway serves, with its tier and current run.
import { type Run, type UsageIndicator, consolePaths } from '../../../protocol/index.ts';
import type { Operator } from '../operators.ts';
import { type Part, escapeHtml } from './html.ts';
import { page } from './layout.ts';
import { TIER_TEXT } from './usage.ts';

export interface WorkspaceSummary {
  ws: string;
  usage: Part<UsageIndicator>;
  run: Part<Run | null>;
}

export function renderWorkspaces(o: { operator: Operator; csrf: string; workspaces: WorkspaceSummary[] }): string {
  const rows = o.workspaces
    .map((w) => {
      const usage = w.usage.ok
        ? `${Math.floor(w.usage.value.consumptionPercent)}% of ${w.usage.value.definedLimit.toLocaleString('en-US')} · ${TIER_TEXT[w.usage.value.tier]}`
        : `unavailable: ${w.usage.error}`;
      const run = w.run.ok ? (w.run.value ? `${w.run.value.status} (${Math.floor(w.run.value.percent)}%)` : 'none yet') : 'unavailable';
      return `<tr data-ws="${escapeHtml(w.ws)}"><td><a href="${escapeHtml(consolePaths.workspace(w.ws))}">${escapeHtml(w.ws)}</a></td>
      <td>${escapeHtml(usage)}</td><td>${escapeHtml(run)}</td>
      <td><a href="${escapeHtml(consolePaths.errors(w.ws))}">Sync errors</a></td></tr>`;
    })
    .join('\n');
  const body = `<h1>Workspaces</h1>
<table id="workspaces"><thead><tr><th>Workspace</th><th>Salesforce API usage</th><th>Bulk sync</th><th></th></tr></thead>
<tbody>${rows || '<tr><td colspan="4">This gateway serves no workspace.</td></tr>'}</tbody></table>`;
  return page({ title: 'peoplesync · workspaces', operator: o.operator, csrf: o.csrf }, body);
}
