// The settings form: the API limit, the attribute mappings (each picks the Salesforce object and
// field from the live describe, the Intercom attribute from the live data attributes, and one
// direction) and the other settings. The page's script sends it as JSON and shows every problem
// of a refused save, each next to its row.
import type { Mapping, ReplyOf, SettingsSchemaShow, WorkspaceSettings } from '../../../protocol/index.ts';
import { DIRECTION_TEXT, type Part, escapeHtml, unavailable } from './html.ts';

export type SchemaChoices = ReplyOf<typeof SettingsSchemaShow>;

function option(value: string, text: string, selected: boolean, extra = ''): string {
  return `<option value="${escapeHtml(value)}"${selected ? ' selected' : ''}${extra}>${escapeHtml(text)}</option>`;
}

/** Choices of a select, the current value kept (marked) when the live lists no longer have it. */
function choices(items: { value: string; text: string; kind: string | null }[], current: string): string {
  const known = items.some((i) => i.value === current);
  return [
    ...(current && !known ? [option(current, `${current} (not in the live lists)`, true)] : []),
    ...items.map((i) => option(i.value, i.text, i.value === current, ` data-kind="${escapeHtml(i.kind ?? '')}"`)),
  ].join('');
}

export function fieldItems(
  schema: SchemaChoices | null,
  object: 'Lead' | 'Contact',
): { value: string; text: string; kind: string | null }[] {
  return (schema?.fields[object] ?? []).map((f) => ({ value: f.name, text: `${f.label} (${f.name}) · ${f.type}`, kind: f.kind }));
}

export function attributeItems(schema: SchemaChoices | null): { value: string; text: string; kind: string | null }[] {
  return (schema?.attributes ?? []).map((a) => ({ value: a.fullName, text: `${a.label} (${a.fullName}) · ${a.dataType}`, kind: a.kind }));
}

export function mappingRow(m: Mapping, schema: SchemaChoices | null, disabled: boolean): string {
  const d = disabled ? ' disabled' : '';
  return `<tr class="mapping" data-id="${escapeHtml(m.id)}">
    <td><select name="sfObject" aria-label="Salesforce object"${d}>${['Lead', 'Contact'].map((o) => option(o, o, o === m.sfObject)).join('')}</select></td>
    <td><select name="sfField" aria-label="Salesforce field"${d}>${choices(fieldItems(schema, m.sfObject), m.sfField)}</select></td>
    <td><select name="direction" aria-label="Direction"${d}>${Object.entries(DIRECTION_TEXT)
      .map(([v, t]) => option(v, t, v === m.direction))
      .join('')}</select></td>
    <td><select name="icAttribute" aria-label="Intercom attribute"${d}>${choices(attributeItems(schema), m.icAttribute)}</select></td>
    <td><button type="button" class="remove"${d}>Remove</button></td>
    <td class="problems" data-testid="row-problem" role="alert"></td>
  </tr>`;
}

function input(name: string, label: string, value: unknown, type: string, disabled: boolean, extra = ''): string {
  return `<p><label>${escapeHtml(label)} <input name="${name}" type="${type}" value="${escapeHtml(value ?? '')}"${disabled ? ' disabled' : ''}${extra}></label></p>`;
}

export function renderSettingsForm(
  stored: Part<{ settings: WorkspaceSettings | null; revision: number }>,
  schema: Part<SchemaChoices>,
  canChange: boolean,
): string {
  if (!stored.ok) return `<section id="settings">${unavailable('Settings', stored.error)}</section>`;
  const s = stored.value.settings;
  const live = schema.ok ? schema.value : null;
  const ro = !canChange;
  const rows = (s?.mappings ?? []).map((m) => mappingRow(m, live, ro)).join('\n');
  return `<form id="settings-form" data-revision="${stored.value.revision}" novalidate>
  <section id="limit">
    <h2>API limit</h2>
    ${input('sfApiLimit', 'Salesforce API calls this workspace may use in 24 hours', s?.sfApiLimit, 'number', ro, ' min="1" step="1" required')}
    <p><button type="submit" class="save"${ro ? ' disabled' : ''}>Save</button></p>
  </section>
  <section id="mappings">
    <h2>Attribute mappings</h2>
    ${schema.ok ? '' : unavailable('The live Salesforce fields and Intercom attributes', schema.error)}
    <table><thead><tr><th>Salesforce object</th><th>Salesforce field</th><th>Direction</th><th>Intercom attribute</th><th></th><th></th></tr></thead>
    <tbody id="mapping-rows">${rows}</tbody></table>
    <p><button type="button" id="add-mapping"${ro || !live ? ' disabled' : ''}>Add mapping</button></p>
  </section>
  <section id="general">
    <h2>Other settings</h2>
    ${input('installerEmail', 'Installer email (gets the bulk sync emails)', s?.installerEmail, 'email', ro, ' required')}
    ${input('pollIntervalSeconds', 'Poll Salesforce for changes every (seconds)', s?.pollIntervalSeconds ?? 300, 'number', ro, ' min="30"')}
    ${input('timeZone', 'Time zone', s?.timeZone ?? 'UTC', 'text', ro)}
    ${input('intercomWebhookSecretRef', 'Name of the Intercom webhook secret (environment variable)', s?.intercomWebhookSecretRef ?? 'INTERCOM_WEBHOOK_SECRET', 'text', ro)}
  </section>
  <p><button type="submit" id="save-settings" class="save"${ro ? ' disabled' : ''}>Save settings</button>
    <span id="save-status" role="status"></span></p>
  <ul id="save-problems" class="problems" role="alert"></ul>
</form>
<dialog id="confirm-stop" aria-labelledby="confirm-title">
  <h2 id="confirm-title">Stop the bulk sync?</h2>
  <p>A bulk sync is in progress. Saving these settings stops it, and a stopped bulk sync can't be resumed: you can start a new
    one once the settings are saved.</p>
  <p><button type="button" id="confirm-save">Stop the sync and save</button> <button type="button" id="confirm-cancel">Cancel</button></p>
</dialog>`;
}
