// A schema file: the custom fields of a real org and the custom data attributes of a real
// workspace, so a mapping written for them can be tried on the sandboxes without changing code.
//
//   {
//     "salesforce": {
//       "Lead":    [{ "name": "Region__c", "type": "picklist", "values": ["EMEA", "AMER"], "restricted": false }],
//       "Contact": [{ "name": "Tier__c", "type": "string", "length": 20, "filterable": false }]
//     },
//     "intercom": { "attributes": [{ "name": "region", "type": "string", "options": ["EMEA", "AMER"] }] }
//   }
//
// Field keys: name (ending in __c), type, label, length, values (picklists), restricted,
// updateable, createable, nillable, filterable, sortable, precision, scale, digits. Attribute
// keys: name, type (string, integer, float, boolean, date, datetime), label, options, archived,
// api_writable. Every problem is named with its place in the file.
import { readFile } from 'node:fs/promises';
import { customAttribute } from './intercom/data-attributes.ts';
import type { AttributeDataType, DataAttribute } from './intercom/wire.ts';
import type { SObjectName } from './salesforce/wire.ts';
import { SandboxSchemaError } from './schema-error.ts';
import { SF_FIELD_KINDS, spec, type SfFieldKind, type SfFieldSpec } from './sf-schema.ts';

export interface SchemaFile {
  salesforce: Record<SObjectName, SfFieldSpec[]>;
  intercom: DataAttribute[];
}

/** Kinds a custom field may have (Ids and references are the platform's own). */
const CUSTOM_KINDS: readonly SfFieldKind[] = SF_FIELD_KINDS.filter((k) => k !== 'id' && k !== 'reference');
const DEFAULT_LENGTH: Partial<Record<SfFieldKind, number>> = {
  string: 255,
  email: 80,
  phone: 40,
  url: 255,
  textarea: 255,
  picklist: 255,
  multipicklist: 4099,
};
const DECIMAL: ReadonlySet<SfFieldKind> = new Set(['double', 'currency', 'percent']);
const ATTRIBUTE_TYPES: readonly AttributeDataType[] = ['string', 'integer', 'float', 'boolean', 'date', 'datetime'];

type Raw = Record<string, unknown>;

function fail(where: string, message: string): never {
  throw new SandboxSchemaError(`${where}: ${message}`);
}

function object(v: unknown, where: string): Raw {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) fail(where, 'must be a JSON object');
  return v as Raw;
}

function onlyKeys(o: Raw, allowed: readonly string[], where: string): void {
  const extra = Object.keys(o).filter((k) => !allowed.includes(k));
  if (extra.length) fail(where, `unknown key ${extra.map((k) => JSON.stringify(k)).join(', ')} (allowed: ${allowed.join(', ')})`);
}

function optional<T>(o: Raw, key: string, where: string, check: (v: unknown) => v is T, what: string): T | undefined {
  const v = o[key];
  if (v === undefined) return undefined;
  if (!check(v)) fail(`${where}.${key}`, `must be ${what}, got ${JSON.stringify(v)}`);
  return v;
}

const isBool = (v: unknown): v is boolean => typeof v === 'boolean';
const isString = (v: unknown): v is string => typeof v === 'string' && v.trim() !== '';
const isCount = (v: unknown): v is number => typeof v === 'number' && Number.isInteger(v) && v > 0 && v <= 131_072;
const isStrings = (v: unknown): v is string[] => Array.isArray(v) && v.every((x) => typeof x === 'string' && x !== '');

const FIELD_KEYS = [
  'name',
  'type',
  'label',
  'length',
  'values',
  'restricted',
  'updateable',
  'createable',
  'nillable',
  'filterable',
  'sortable',
  'precision',
  'scale',
  'digits',
];

function scaleOf(o: Raw, where: string): number {
  const isScale = (v: unknown): v is number => typeof v === 'number' && Number.isInteger(v) && v >= 0 && v <= 17;
  return optional(o, 'scale', where, isScale, 'a whole number from 0 to 17') ?? 0;
}

/** One custom field from its description in a schema file (or an admin request). */
export function fieldFromFile(raw: unknown, where: string): SfFieldSpec {
  const o = object(raw, where);
  onlyKeys(o, FIELD_KEYS, where);
  const name = o.name;
  if (typeof name !== 'string' || !/^[A-Za-z][A-Za-z0-9_]*__c$/.test(name)) {
    fail(`${where}.name`, `must be a custom field name ending in __c, got ${JSON.stringify(name)}`);
  }
  const type = o.type as SfFieldKind;
  if (!CUSTOM_KINDS.includes(type)) fail(`${where}.type`, `must be one of ${CUSTOM_KINDS.join(', ')}, got ${JSON.stringify(o.type)}`);
  const picklist = type === 'picklist' || type === 'multipicklist';
  const values = optional(o, 'values', where, isStrings, 'an array of non-empty strings');
  if (picklist && !values?.length) fail(`${where}.values`, `a ${type} field needs its values`);
  if (!picklist && values) fail(`${where}.values`, `only picklist and multipicklist fields have values`);
  const length = optional(o, 'length', where, isCount, 'a whole number from 1 to 131072') ?? DEFAULT_LENGTH[type] ?? 0;
  if (length === 0 && o.length !== undefined) fail(`${where}.length`, `a ${type} field has no length`);
  const flag = (key: string) => optional(o, key, where, isBool, 'true or false');
  const long = type === 'textarea' && length > 255;
  return spec({
    name,
    type,
    label: optional(o, 'label', where, isString, 'a non-empty string') ?? name.replace(/__c$/, '').replace(/_/g, ' '),
    length,
    ...(picklist ? { picklist: values, restricted: flag('restricted') ?? true } : {}),
    updateable: flag('updateable') ?? true,
    createable: flag('createable') ?? true,
    nillable: flag('nillable') ?? true,
    filterable: flag('filterable') ?? !long,
    sortable: flag('sortable') ?? !long,
    ...(DECIMAL.has(type) ? { precision: optional(o, 'precision', where, isCount, 'a whole number') ?? 18, scale: scaleOf(o, where) } : {}),
    ...(type === 'int' ? { digits: optional(o, 'digits', where, isCount, 'a whole number') ?? 9 } : {}),
  });
}

/** One custom data attribute from its description in a schema file (or an admin request). */
export function attributeFromFile(raw: unknown, where: string): DataAttribute {
  const o = object(raw, where);
  onlyKeys(o, ['name', 'type', 'label', 'options', 'archived', 'api_writable'], where);
  if (typeof o.name !== 'string' || !/^[A-Za-z0-9_][A-Za-z0-9_ .-]*$/.test(o.name)) {
    fail(`${where}.name`, `must be an attribute name, got ${JSON.stringify(o.name)}`);
  }
  const type = o.type as AttributeDataType;
  if (!ATTRIBUTE_TYPES.includes(type)) fail(`${where}.type`, `must be one of ${ATTRIBUTE_TYPES.join(', ')}, got ${JSON.stringify(o.type)}`);
  return customAttribute(o.name, type, {
    label: optional(o, 'label', where, isString, 'a non-empty string'),
    options: optional(o, 'options', where, isStrings, 'an array of non-empty strings'),
    archived: optional(o, 'archived', where, isBool, 'true or false'),
    api_writable: optional(o, 'api_writable', where, isBool, 'true or false'),
  });
}

/** Parses a schema file's content; `source` names the file in errors. */
export function parseSchema(text: string, source: string): SchemaFile {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    fail(source, `not valid JSON (${(err as Error).message})`);
  }
  const top = object(json, source);
  onlyKeys(top, ['salesforce', 'intercom'], source);
  const out: SchemaFile = { salesforce: { Lead: [], Contact: [] }, intercom: [] };
  if (top.salesforce !== undefined) {
    const sf = object(top.salesforce, `${source}: salesforce`);
    onlyKeys(sf, ['Lead', 'Contact'], `${source}: salesforce`);
    for (const o of ['Lead', 'Contact'] as const) {
      if (sf[o] === undefined) continue;
      if (!Array.isArray(sf[o])) fail(`${source}: salesforce.${o}`, 'must be an array of fields');
      const seen = new Set<string>();
      out.salesforce[o] = (sf[o] as unknown[]).map((f, i) => {
        const field = fieldFromFile(f, `${source}: salesforce.${o}[${i}]`);
        if (seen.has(field.name.toLowerCase())) fail(`${source}: salesforce.${o}[${i}]`, `${field.name} is defined twice`);
        seen.add(field.name.toLowerCase());
        return field;
      });
    }
  }
  if (top.intercom !== undefined) {
    const ic = object(top.intercom, `${source}: intercom`);
    onlyKeys(ic, ['attributes'], `${source}: intercom`);
    if (!Array.isArray(ic.attributes)) fail(`${source}: intercom.attributes`, 'must be an array of data attributes');
    out.intercom = ic.attributes.map((a, i) => attributeFromFile(a, `${source}: intercom.attributes[${i}]`));
  }
  return out;
}

export async function readSchemaFile(path: string): Promise<SchemaFile> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    throw new SandboxSchemaError(`${path}: cannot read the schema file (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`);
  }
  return parseSchema(text, path);
}
