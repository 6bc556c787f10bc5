// Checks one record's field changes the way Salesforce does on update, and converts accepted
// values to their stored form. Pure: the sandbox decides what to do with the verdict.

import type { SfObject, SfRecord, SfRecordError } from '../../connectors/types.ts';
import { findField, formatSfDateTime, parseSfDateTime, type SfFieldSpec } from '../sf-schema.ts';

/** A rule a test installs: records whose `field` (after the change) matches fail the write. */
export interface ValidationRule {
  name?: string;
  object?: SfObject;
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

export type Verdict = { ok: true; values: Record<string, unknown> } | { ok: false; errors: SfRecordError[] };

const err = (statusCode: string, message: string, fields: string[]): SfRecordError => ({ statusCode, message, fields });

const EMAIL_RE = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
const DATE_RE = /^\d{4}-\d{2}-\d{2}$/;
const TEXT = new Set(['string', 'email', 'phone', 'textarea', 'picklist']);

function wrongType(f: SfFieldSpec, v: unknown): SfRecordError {
  return err('INVALID_TYPE_ON_FIELD_IN_RECORD', `${f.label}: value not of required type: ${String(v)}`, [f.name]);
}

function checkText(f: SfFieldSpec, v: unknown): SfRecordError | string {
  if (typeof v !== 'string' && typeof v !== 'number' && typeof v !== 'boolean') return wrongType(f, JSON.stringify(v));
  const s = String(v);
  if (s.length > f.length) return err('STRING_TOO_LONG', `${f.label}: data value too large: ${s} (max length=${f.length})`, [f.name]);
  if (f.type === 'email' && !EMAIL_RE.test(s)) return err('INVALID_EMAIL_ADDRESS', `${f.label}: invalid email address: ${s}`, [f.name]);
  if (f.type === 'picklist' && !(f.picklist ?? []).includes(s)) {
    return err('INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST', `${f.label}: bad value for restricted picklist field: ${s}`, [f.name]);
  }
  return s;
}

function checkNumber(f: SfFieldSpec, v: unknown): SfRecordError | number {
  const n = typeof v === 'number' ? v : typeof v === 'string' && v.trim() !== '' ? Number(v) : Number.NaN;
  if (!Number.isFinite(n)) return wrongType(f, v);
  if (f.type === 'int') {
    if (!Number.isInteger(n)) return wrongType(f, v);
    if (Math.abs(n) >= 10 ** (f.digits ?? 9))
      return err('NUMBER_OUTSIDE_VALID_RANGE', `${f.label}: value outside of valid range on numeric field: ${n}`, [f.name]);
    return n;
  }
  const scale = f.scale ?? 0;
  if (Math.abs(n) >= 10 ** ((f.precision ?? 18) - scale)) {
    return err('NUMBER_OUTSIDE_VALID_RANGE', `${f.label}: value outside of valid range on numeric field: ${n}`, [f.name]);
  }
  // Salesforce keeps `scale` decimals and rounds the rest away on save.
  return Math.round(n * 10 ** scale) / 10 ** scale;
}

function checkValue(f: SfFieldSpec, v: unknown): SfRecordError | unknown {
  if (TEXT.has(f.type)) return checkText(f, v);
  switch (f.type) {
    case 'boolean':
      if (typeof v === 'boolean') return v;
      if (v === 'true' || v === 'false') return v === 'true';
      return wrongType(f, v);
    case 'double':
    case 'currency':
    case 'int':
      return checkNumber(f, v);
    case 'date':
      return typeof v === 'string' && DATE_RE.test(v) && !Number.isNaN(Date.parse(v)) ? v : wrongType(f, v);
    case 'datetime': {
      const ms = typeof v === 'string' ? parseSfDateTime(v) : Number.NaN;
      return Number.isNaN(ms) ? wrongType(f, v) : formatSfDateTime(ms);
    }
    default:
      return wrongType(f, v);
  }
}

const isError = (x: unknown): x is SfRecordError => typeof x === 'object' && x !== null && 'statusCode' in x && 'fields' in x;

/** Validates `changes` to `current` (a record of `object`). Keys are field names as sent. */
export function validateChanges(
  object: SfObject,
  current: SfRecord,
  changes: Record<string, unknown>,
  rules: readonly ValidationRule[],
): Verdict {
  const errors: SfRecordError[] = [];
  const values: Record<string, unknown> = {};
  const readOnly: string[] = [];
  for (const [name, raw] of Object.entries(changes)) {
    const f = findField(object, name);
    if (!f) {
      errors.push(err('INVALID_FIELD', `No such column '${name}' on sobject of type ${object}`, [name]));
      continue;
    }
    if (!f.updateable) {
      readOnly.push(f.name);
      continue;
    }
    if (raw === null || raw === '') {
      if (f.type === 'boolean') values[f.name] = false;
      else if (!f.nillable) errors.push(err('REQUIRED_FIELD_MISSING', `Required fields are missing: [${f.name}]`, [f.name]));
      else values[f.name] = null;
      continue;
    }
    const checked = checkValue(f, raw);
    if (isError(checked)) errors.push(checked);
    else values[f.name] = checked;
  }
  if (readOnly.length) {
    errors.push(
      err(
        'INVALID_FIELD_FOR_INSERT_UPDATE',
        `Unable to create/update fields: ${readOnly.join(', ')}. Please check the security settings of this field and verify that it is read/write for your profile or permission set.`,
        readOnly,
      ),
    );
  }
  if (errors.length) return { ok: false, errors };
  const after = { ...current, ...values };
  const broken = rules.filter((r) => ruleApplies(r, object, after));
  if (broken.length) {
    return {
      ok: false,
      errors: broken.map((r) =>
        err(r.statusCode ?? 'FIELD_CUSTOM_VALIDATION_EXCEPTION', r.message, [findField(object, r.field)?.name ?? r.field]),
      ),
    };
  }
  return { ok: true, values };
}

function ruleApplies(rule: ValidationRule, object: SfObject, record: SfRecord): boolean {
  if (rule.object && rule.object !== object) return false;
  if (rule.id && rule.id !== record.Id) return false;
  const f = findField(object, rule.field);
  if (!f) return false;
  const v = record[f.name];
  if (rule.equals !== undefined) return v === rule.equals;
  if (rule.matches !== undefined) return new RegExp(rule.matches).test(v == null ? '' : String(v));
  return true;
}

/** Checks a rule before it is installed, so a typo fails at once and not silently later. */
export function checkRule(rule: ValidationRule): ValidationRule {
  if (!rule || typeof rule.field !== 'string' || typeof rule.message !== 'string') {
    throw new Error('validation rule needs a string field and a string message');
  }
  if (rule.object !== undefined && rule.object !== 'Lead' && rule.object !== 'Contact')
    throw new Error(`validation rule object must be Lead or Contact, got ${String(rule.object)}`);
  const objects: SfObject[] = rule.object ? [rule.object] : ['Lead', 'Contact'];
  if (!objects.some((o) => findField(o, rule.field)))
    throw new Error(`validation rule field ${rule.field} is not a field of ${objects.join(' or ')}`);
  if (rule.matches !== undefined) new RegExp(rule.matches);
  return rule;
}
