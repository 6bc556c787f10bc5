// The contact data attributes of the shared data model, and the type checks the sandbox applies
// to custom attribute values on PUT /contacts/{id}.
import { SandboxInputError } from './errors.ts';
import type { AttributeDataType, DataAttribute } from './wire.ts';

type AttrSpec = [name: string, dataType: AttributeDataType, label: string, apiWritable?: boolean];

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

export function defaultDataAttributes(): DataAttribute[] {
  const standard = STANDARD.map(([name, data_type, label, writable]) => ({
    name,
    full_name: name,
    label,
    data_type,
    custom: false,
    archived: false,
    api_writable: writable ?? true,
  }));
  const custom = CUSTOM.map(([name, dataType, label]) => customAttribute(name, dataType, { label }));
  return [...standard, ...custom];
}

const DATA_TYPES: ReadonlySet<string> = new Set(['string', 'integer', 'float', 'boolean', 'date', 'datetime']);

/** Refuses a list of attributes the service could not hold: a bad name or type, a custom
 * attribute whose full_name is not `custom_attributes.<name>`, two attributes of one full_name. */
export function checkAttributes(attributes: readonly DataAttribute[]): void {
  if (!Array.isArray(attributes)) throw new SandboxInputError('dataAttributes must be an array');
  const seen = new Set<string>();
  attributes.forEach((a, i) => {
    const where = `data attribute ${i + 1} (${JSON.stringify(a?.name)})`;
    if (typeof a?.name !== 'string' || !/^[A-Za-z0-9_][A-Za-z0-9_ .-]*$/.test(a.name))
      throw new SandboxInputError(`${where}: name must be a non-empty word`);
    if (!DATA_TYPES.has(a.data_type))
      throw new SandboxInputError(`${where}: data_type must be one of ${[...DATA_TYPES].join(', ')}, got ${JSON.stringify(a.data_type)}`);
    const full = a.custom ? `custom_attributes.${a.name}` : a.name;
    if (a.full_name !== full) throw new SandboxInputError(`${where}: full_name must be ${full}, got ${JSON.stringify(a.full_name)}`);
    if (seen.has(full)) throw new SandboxInputError(`${where}: defined twice`);
    seen.add(full);
    if (a.options !== undefined && (!Array.isArray(a.options) || (a.options as unknown[]).some((o) => typeof o !== 'string'))) {
      throw new SandboxInputError(`${where}: options must be an array of strings`);
    }
  });
}

/** A custom attribute from its name and type, as a schema file gives it. */
export function customAttribute(name: string, dataType: AttributeDataType, extra: Partial<DataAttribute> = {}): DataAttribute {
  return {
    name,
    full_name: `custom_attributes.${name}`,
    label: extra.label ?? name,
    data_type: dataType,
    custom: true,
    archived: extra.archived ?? false,
    api_writable: extra.api_writable ?? true,
    ...(extra.options ? { options: extra.options } : {}),
  };
}

/** The wire shape of one attribute (schema `data_attribute`). Custom ones carry a numeric id. */
export function renderDataAttribute(attr: DataAttribute, index: number): Record<string, unknown> {
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
export function valueFitsType(value: unknown, type: AttributeDataType): boolean {
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
 * dropped silently on a write (what a third party reports the real service does) and kept in seed
 * data; unknown ones are refused.
 */
export function checkCustomAttributes(
  attrs: Record<string, unknown>,
  known: readonly DataAttribute[],
  opts: { keepArchived?: boolean } = {},
): { accepted: Record<string, unknown>; problem?: CustomAttributeProblem } {
  const accepted: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(attrs)) {
    const attr = known.find((a) => a.custom && a.name === name);
    if (!attr) {
      return { accepted, problem: { code: 'parameter_invalid', name, message: `Custom attribute '${name}' does not exist` } };
    }
    if (attr.archived && !opts.keepArchived) continue;
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
