// The contact data attributes of the shared data model, and the type checks the sandbox applies
// to custom attribute values on PUT /contacts/{id}.
import type { IcDataAttribute, IcDataType } from '../../connectors/types.ts';

type AttrSpec = [name: string, dataType: IcDataType, label: string, apiWritable?: boolean];

const STANDARD: AttrSpec[] = [
  ['name', 'string', 'Name'],
  ['email', 'string', 'Email'],
  ['phone', 'string', 'Phone'],
  ['external_id', 'string', 'User ID'],
  ['role', 'string', 'Role'],
  ['created_at', 'date', 'Created at', false],
  ['updated_at', 'date', 'Last updated', false],
  ['signed_up_at', 'date', 'Signed up'],
  ['last_seen_at', 'date', 'Last seen'],
  ['owner_id', 'integer', 'Owner'],
  ['unsubscribed_from_emails', 'boolean', 'Unsubscribed from emails'],
];

const CUSTOM: AttrSpec[] = [
  ['company', 'string', 'Company'],
  ['job_title', 'string', 'Job title'],
  ['city', 'string', 'City'],
  ['department', 'string', 'Department'],
  ['lead_source', 'string', 'Lead source'],
  ['plan', 'string', 'Plan'],
  ['score', 'float', 'Score'],
  ['employees', 'integer', 'Employees'],
  ['trial_end', 'date', 'Trial end'],
  ['last_login', 'date', 'Last login'],
  ['opted_out', 'boolean', 'Opted out'],
];

export function defaultDataAttributes(): IcDataAttribute[] {
  const standard = STANDARD.map(([name, data_type, label, writable]) => ({
    name,
    full_name: name,
    label,
    data_type,
    custom: false,
    archived: false,
    api_writable: writable ?? true,
  }));
  const custom = CUSTOM.map(([name, data_type, label]) => ({
    name,
    full_name: `custom_attributes.${name}`,
    label,
    data_type,
    custom: true,
    archived: false,
    api_writable: true,
  }));
  return [...standard, ...custom];
}

/** The wire shape of one attribute (schema `data_attribute`). Custom ones carry a numeric id. */
export function renderDataAttribute(attr: IcDataAttribute, index: number): Record<string, unknown> {
  return {
    type: 'data_attribute',
    ...(attr.custom ? { id: 10_000 + index } : {}),
    model: 'contact',
    name: attr.name,
    full_name: attr.full_name,
    label: attr.label,
    description: attr.label,
    data_type: attr.data_type,
    ...(attr.options ? { options: attr.options } : {}),
    api_writable: attr.api_writable,
    ui_writable: attr.api_writable,
    messenger_writable: false,
    custom: attr.custom,
    archived: attr.archived,
  };
}

/** True when `value` fits the attribute type. null clears any attribute. */
export function valueFitsType(value: unknown, type: IcDataType): boolean {
  if (value === null) return true;
  switch (type) {
    case 'string':
      return typeof value === 'string';
    case 'integer':
      return typeof value === 'number' && Number.isInteger(value);
    case 'float':
      return typeof value === 'number' && Number.isFinite(value);
    case 'boolean':
      return typeof value === 'boolean';
    case 'date':
    case 'datetime':
      return typeof value === 'number' && Number.isInteger(value) && value >= 0;
  }
  return false;
}

export type CustomAttributeProblem =
  { code: 'parameter_invalid'; name: string; message: string } | { code: 'type_mismatch'; name: string; message: string };

/**
 * Checks a custom_attributes object against the workspace's attributes. Archived attributes are
 * dropped silently (what a third party reports the real service does); unknown ones are refused.
 */
export function checkCustomAttributes(
  attrs: Record<string, unknown>,
  known: readonly IcDataAttribute[],
): { accepted: Record<string, unknown>; problem?: CustomAttributeProblem } {
  const accepted: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(attrs)) {
    const attr = known.find((a) => a.custom && a.name === name);
    if (!attr) {
      return { accepted, problem: { code: 'parameter_invalid', name, message: `Custom attribute '${name}' does not exist` } };
    }
    if (attr.archived) continue;
    if (!valueFitsType(value, attr.data_type)) {
      const message = `Custom attribute '${name}' expects a value of type ${attr.data_type}, got ${describe(value)}`;
      return { accepted, problem: { code: 'type_mismatch', name, message } };
    }
    accepted[name] = value;
  }
  return { accepted };
}

function describe(value: unknown): string {
  if (Array.isArray(value)) return 'array';
  return typeof value === 'number' && !Number.isInteger(value) ? 'float' : typeof value;
}
