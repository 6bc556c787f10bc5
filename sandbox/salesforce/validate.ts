// Checks one record's deserialized field values the way Salesforce does on save (each failure is
// that record's own: `errors[]` of its SaveResult), and gives the values to store. Pure: the
// sandbox decides what to do with the verdict.

import type { SObjectName, SObjectRecord, SaveError } from './wire.ts';
import type { SfFieldSpec, SfSchema } from '../sf-schema.ts';

/** A rule a test installs: records whose `field` (after the change) matches fail the write. */
export interface ValidationRule {
  name?: string;
  object?: SObjectName;
  /** Only this record. */
  id?: string;
  field: string;
  /** Fails when the field's new value equals this. */
  equals?: unknown;
  /** Fails when String(value) matches this regular expression. Neither set: always fails. */
  matches?: string;
  message: string;
  statusCode?: string;
}

export type Verdict = { ok: true; values: Record<string, unknown> } | { ok: false; errors: SaveError[] };
export type SaveKind = 'update' | 'create';

const err = (statusCode: string, message: string, fields: string[]): SaveError => ({ statusCode, message, fields });

const EMAIL_RE = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
const TEXT = new Set(['string', 'email', 'phone', 'url', 'textarea', 'picklist', 'multipicklist', 'reference']);

function outOfRange(f: SfFieldSpec, n: number): SaveError {
  return err('NUMBER_OUTSIDE_VALID_RANGE', `${f.label}: value outside of valid range on numeric field: ${n}`, [f.name]);
}

function checkText(f: SfFieldSpec, s: string): SaveError | string {
  if (s.length > f.length) return err('STRING_TOO_LONG', `${f.label}: data value too large: ${s} (max length=${f.length})`, [f.name]);
  if (f.type === 'email' && !EMAIL_RE.test(s)) return err('INVALID_EMAIL_ADDRESS', `${f.label}: invalid email address: ${s}`, [f.name]);
  const list = f.picklist ?? [];
  const values = f.type === 'multipicklist' ? s.split(';') : f.type === 'picklist' ? [s] : [];
  const bad = f.restricted ? values.find((v) => !list.includes(v)) : undefined;
  if (bad !== undefined) {
    return err('INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST', `${f.label}: bad value for restricted picklist field: ${bad}`, [f.name]);
  }
  return s;
}

function checkNumber(f: SfFieldSpec, n: number): SaveError | number {
  if (f.type === 'int') return Math.abs(n) >= 10 ** (f.digits ?? 9) ? outOfRange(f, n) : n;
  const scale = f.scale ?? 0;
  if (Math.abs(n) >= 10 ** ((f.precision ?? 18) - scale)) return outOfRange(f, n);
  // Salesforce keeps `scale` decimals and rounds the rest away on save.
  return Math.round(n * 10 ** scale) / 10 ** scale;
}

function checkValue(f: SfFieldSpec, v: unknown): SaveError | unknown {
  if (TEXT.has(f.type)) return checkText(f, v as string);
  if (typeof v === 'number') return checkNumber(f, v);
  return v;
}

const isError = (x: unknown): x is SaveError => typeof x === 'object' && x !== null && 'statusCode' in x && 'fields' in x;

function readOnlyError(fields: string[]): SaveError {
  return err(
    'INVALID_FIELD_FOR_INSERT_UPDATE',
    `Unable to create/update fields: ${fields.join(', ')}. Please check the security settings of this field and verify that it is read/write for your profile or permission set.`,
    fields,
  );
}

/** Validates deserialized `changes` to `current` (a record of `object`; blank for a create). */
export function validateChanges(
  schema: SfSchema,
  object: SObjectName,
  current: SObjectRecord,
  changes: ReadonlyMap<SfFieldSpec, unknown>,
  rules: readonly ValidationRule[],
  kind: SaveKind = 'update',
): Verdict {
  if (kind === 'update' && object === 'Lead' && current.IsConverted === true) {
    return { ok: false, errors: [err('CANNOT_UPDATE_CONVERTED_LEAD', 'cannot reference converted lead', [])] };
  }
  const errors: SaveError[] = [];
  const values: Record<string, unknown> = {};
  const readOnly: string[] = [];
  for (const [f, v] of changes) {
    if (kind === 'update' ? !f.updateable : !f.createable) {
      readOnly.push(f.name);
      continue;
    }
    if (v === null || v === '') {
      if (f.type === 'boolean') values[f.name] = false;
      else if (!f.nillable) errors.push(err('REQUIRED_FIELD_MISSING', `Required fields are missing: [${f.name}]`, [f.name]));
      else values[f.name] = null;
      continue;
    }
    const checked = checkValue(f, v);
    if (isError(checked)) errors.push(checked);
    else values[f.name] = checked;
  }
  if (readOnly.length) errors.push(readOnlyError(readOnly));
  if (errors.length) return { ok: false, errors };
  const after = { ...current, ...values };
  const broken = rules.filter((r) => ruleApplies(schema, r, object, after));
  if (broken.length) {
    return {
      ok: false,
      errors: broken.map((r) =>
        err(r.statusCode ?? 'FIELD_CUSTOM_VALIDATION_EXCEPTION', r.message, [schema.field(object, r.field)?.name ?? r.field]),
      ),
    };
  }
  return { ok: true, values };
}

function ruleApplies(schema: SfSchema, rule: ValidationRule, object: SObjectName, record: SObjectRecord): boolean {
  if (rule.object && rule.object !== object) return false;
  if (rule.id && rule.id !== record.Id) return false;
  const f = schema.field(object, rule.field);
  if (!f) return false;
  const v = record[f.name];
  if (rule.equals !== undefined) return v === rule.equals;
  if (rule.matches !== undefined) return new RegExp(rule.matches).test(v == null ? '' : String(v));
  return true;
}

/** Checks a rule before it is installed, so a typo fails at once and not silently later. */
export function checkRule(schema: SfSchema, rule: ValidationRule): ValidationRule {
  if (!rule || typeof rule.field !== 'string' || typeof rule.message !== 'string') {
    throw new Error('validation rule needs a string field and a string message');
  }
  if (rule.object !== undefined && rule.object !== 'Lead' && rule.object !== 'Contact')
    throw new Error(`validation rule object must be Lead or Contact, got ${String(rule.object)}`);
  const objects: SObjectName[] = rule.object ? [rule.object] : ['Lead', 'Contact'];
  if (!objects.some((o) => schema.field(o, rule.field)))
    throw new Error(`validation rule field ${rule.field} is not a field of ${objects.join(' or ')}`);
  if (rule.matches !== undefined) new RegExp(rule.matches);
  return rule;
}
