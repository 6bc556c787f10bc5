// A workspace's settings page: the usage indicator, the manual bulk sync with its live progress and
// run history, and the settings form (API limit, attribute mappings, the rest).
import type { Run, UsageIndicator, WorkspaceSettings } from '../../../protocol/index.ts';
import type { Operator } from '../operators.ts';
import { renderBulk } from './bulk.ts';
import type { Part } from './html.ts';
import { page } from './layout.ts';
import { type SchemaChoices, renderSettingsForm } from './mappings.ts';
import { renderUsage } from './usage.ts';

export interface WorkspacePage {
  ws: string;
  operator: Operator;
  csrf: string;
  settings: Part<{ settings: WorkspaceSettings | null; revision: number }>;
  usage: Part<UsageIndicator>;
  run: Part<Run | null>;
  history: Part<Run[]>;
  schema: Part<SchemaChoices>;
}

export function renderWorkspace(d: WorkspacePage): string {
  const canChange = d.operator.role === 'admin';
  const body = `<h1>Settings</h1>
${renderUsage(d.usage)}
${renderBulk(d.run, d.history, canChange)}
${renderSettingsForm(d.settings, d.schema, canChange)}`;
  return page(
    {
      title: `peoplesync · ${d.ws}`,
      operator: d.operator,
      csrf: d.csrf,
      ws: d.ws,
      tab: 'settings',
      data: {
        page: 'workspace',
        canChange,
        settings: d.settings.ok ? d.settings.value.settings : null,
        schema: d.schema.ok ? d.schema.value : null,
        run: d.run.ok ? d.run.value : null,
      },
    },
    body,
  );
}
