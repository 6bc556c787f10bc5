// Value conversion between Salesforce and Intercom for every compatible pair of field types, both
// ways, and the comparable form each side is compared in. What the two services store differently
// is normalised here: unix seconds vs ISO date-times, date-only days vs midnight in the workspace's
// time zone, numbers as text, "" vs null, trailing whitespace. Nothing is truncated silently: a
// value the target cannot hold is a failure naming why.
import type { IcDataAttribute, SfFieldDescribe } from '../../connectors/types.ts';
import { pairKind } from './type-pairs.ts';
import { calendarDateIn, parseDateOnly, startOfDayIn } from './time-zone.ts';
import {
  fail,
  formatSfDateTime,
  ok,
  parseDateTime,
  preview,
  readBoolean,
  readNumber,
  readText,
  roundTo,
  type ConversionCause,
  type Parsed,
  type WireValue,
} from './values.ts';

export type { ConversionCause, WireValue } from './values.ts';
export type ConvertResult = Parsed<WireValue>;

/** Salesforce stores dates and date-times from 1700-01-01 to 4000-12-31. */
const SF_MIN_DATE = '1700-01-01';
const SF_MAX_DATE = '4000-12-31T23:59:59.999+0000';
const DAY = 86_400;
const SF_MIN_SECONDS = Date.UTC(1700, 0, 1) / 1000;
const SF_MAX_SECONDS = Date.UTC(4000, 11, 31, 23, 59, 59) / 1000;
const SF_INT_MAX = 2_147_483_647;
const EMAIL = /^[^\s@]+@[^\s@.]+(\.[^\s@.]+)+$/;

function mismatch(sf: SfFieldDescribe, ic: IcDataAttribute): ConvertResult {
  return fail(
    'type_mismatch',
    `Salesforce ${sf.type} field ${sf.name} and Intercom ${ic.data_type} attribute ${ic.full_name} cannot be mapped to each other`,
  );
}

function isSfDateTime(sf: SfFieldDescribe): boolean {
  return sf.type === 'datetime';
}

/** Decimals Salesforce keeps for a number field: none for int, `scale` otherwise (currency 2 by default). */
function sfScale(sf: SfFieldDescribe): number | null {
  if (sf.type === 'int') return 0;
  if (typeof sf.scale === 'number' && sf.scale >= 0) return sf.scale;
  return sf.type === 'currency' ? 2 : null;
}

function activePicklist(sf: SfFieldDescribe): string[] {
  return sf.picklistValues.filter((p) => p.active).map((p) => p.value);
}

function icOptions(ic: IcDataAttribute): string[] | null {
  return ic.options && ic.options.length > 0 ? ic.options : null;
}

// ---- Salesforce -> Intercom -------------------------------------------------------------------

/** Unix seconds from a Salesforce date ("2024-01-31": its first second in `tz`) or date-time. */
function sfDateToSeconds(v: unknown, sf: SfFieldDescribe, tz: string): Parsed<number | null> {
  if (v === null || v === undefined || v === '') return ok(null);
  if (typeof v !== 'string') return fail('unparseable_date', `${sf.name} holds ${preview(v)}, not a date`);
  if (isSfDateTime(sf)) {
    const ms = parseDateTime(v);
    return ms === null ? fail('unparseable_date', `${preview(v)} in ${sf.name} is not a date-time`) : ok(Math.floor(ms / 1000));
  }
  const day = v.trim();
  return parseDateOnly(day) ? ok(startOfDayIn(day, tz)) : fail('unparseable_date', `${preview(v)} in ${sf.name} is not a YYYY-MM-DD date`);
}

function textToIntercom(v: unknown, ic: IcDataAttribute): ConvertResult {
  const t = readText(v);
  if (!t.ok || t.value === null) return t;
  const options = icOptions(ic);
  if (options && !options.includes(t.value)) {
    return fail(
      'invalid_picklist_value',
      `${preview(t.value)} is not one of the options of Intercom attribute ${ic.full_name} (${options.join(', ')})`,
    );
  }
  return t;
}

function numberToIntercom(v: unknown, ic: IcDataAttribute): ConvertResult {
  const n = readNumber(v);
  if (!n.ok || n.value === null || ic.data_type !== 'integer') return n;
  const r = roundTo(n.value, 0);
  return Number.isSafeInteger(r)
    ? ok(r)
    : fail('number_out_of_range', `${preview(v)} is too large for Intercom integer attribute ${ic.full_name}`);
}

/** A Salesforce value in the form Intercom attribute `ic` holds. */
export function toIntercom(value: unknown, sfField: SfFieldDescribe, icAttr: IcDataAttribute, tz: string): ConvertResult {
  switch (pairKind(sfField.type, icAttr.data_type)) {
    case 'text':
      return textToIntercom(value, icAttr);
    case 'boolean':
      return readBoolean(value);
    case 'number':
      return numberToIntercom(value, icAttr);
    case 'date':
      return sfDateToSeconds(value, sfField, tz);
    default:
      return mismatch(sfField, icAttr);
  }
}

// ---- Intercom -> Salesforce -------------------------------------------------------------------

/** Unix seconds from what Intercom holds for a date: seconds, as a number or text, or an ISO date-time. */
function icDateToSeconds(v: unknown, name: string): Parsed<number | null> {
  if (v === null || v === undefined) return ok(null);
  if (typeof v === 'number') {
    return Number.isFinite(v) ? ok(Math.floor(v)) : fail('unparseable_date', `${String(v)} in ${name} is not a date`);
  }
  if (typeof v !== 'string') return fail('unparseable_date', `${name} holds ${preview(v)}, not a date`);
  const s = v.trim();
  if (s === '') return ok(null);
  if (/^-?\d+$/.test(s)) return ok(Number(s));
  const ms = parseDateTime(s);
  return ms === null
    ? fail('unparseable_date', `${preview(v)} in ${name} is neither unix seconds nor an ISO date-time`)
    : ok(Math.floor(ms / 1000));
}

function required(sf: SfFieldDescribe): ConvertResult {
  return sf.nillable
    ? ok(null)
    : fail('required_value_missing', `Salesforce field ${sf.name} requires a value and the Intercom value is empty`);
}

function textToSalesforce(v: unknown, sf: SfFieldDescribe): ConvertResult {
  const t = readText(v);
  if (!t.ok) return t;
  if (t.value === null) return required(sf);
  const s = t.value;
  // Salesforce measures length in UTF-16 units, as String.length does.
  if (sf.length > 0 && s.length > sf.length) {
    return fail('field_too_long', `${preview(s)} is ${s.length} characters; Salesforce field ${sf.name} holds at most ${sf.length}`);
  }
  if (sf.type === 'picklist') {
    const values = activePicklist(sf);
    if (!values.includes(s))
      return fail('invalid_picklist_value', `${preview(s)} is not an active value of picklist ${sf.name} (${values.join(', ')})`);
  }
  if (sf.type === 'email' && !EMAIL.test(s))
    return fail('invalid_email', `${preview(s)} is not an email address Salesforce accepts for ${sf.name}`);
  return ok(s);
}

function booleanToSalesforce(v: unknown, sf: SfFieldDescribe): ConvertResult {
  const b = readBoolean(v);
  // A Salesforce checkbox is never empty: an unset Intercom flag is unchecked.
  if (b.ok && b.value === null && !sf.nillable) return ok(false);
  return b;
}

function numberToSalesforce(v: unknown, sf: SfFieldDescribe): ConvertResult {
  const n = readNumber(v);
  if (!n.ok) return n;
  if (n.value === null) return required(sf);
  const scale = sfScale(sf);
  const x = scale === null ? n.value : roundTo(n.value, scale);
  if (sf.type === 'int' && Math.abs(x) > SF_INT_MAX)
    return fail('number_out_of_range', `${preview(v)} does not fit Salesforce int field ${sf.name}`);
  const precision = sf.precision ?? 0;
  if (precision > 0 && scale !== null && Math.abs(x) >= 10 ** (precision - scale)) {
    return fail(
      'number_out_of_range',
      `${preview(v)} has more than ${precision - scale} digits before the decimal point allowed by ${sf.name}`,
    );
  }
  return ok(x);
}

function dateToSalesforce(v: unknown, ic: IcDataAttribute, sf: SfFieldDescribe, tz: string): ConvertResult {
  const d = icDateToSeconds(v, ic.full_name);
  if (!d.ok) return d;
  if (d.value === null) return required(sf);
  const outOfRange = fail('date_out_of_range', `${preview(v)} is outside the dates Salesforce stores (1700-01-01 to 4000-12-31)`);
  // A day's bounds in UTC; the zone may move the calendar day one either way, checked next.
  if (d.value < SF_MIN_SECONDS - DAY || d.value > SF_MAX_SECONDS + DAY) return outOfRange;
  const out = isSfDateTime(sf) ? formatSfDateTime(d.value) : calendarDateIn(d.value, tz);
  // Four-digit years: the text sorts as the time does.
  return out >= SF_MIN_DATE && out <= SF_MAX_DATE ? ok(out) : outOfRange;
}

/** An Intercom value in the form Salesforce field `sf` takes on update. */
export function toSalesforce(value: unknown, icAttr: IcDataAttribute, sfField: SfFieldDescribe, tz: string): ConvertResult {
  switch (pairKind(sfField.type, icAttr.data_type)) {
    case 'text':
      return textToSalesforce(value, sfField);
    case 'boolean':
      return booleanToSalesforce(value, sfField);
    case 'number':
      return numberToSalesforce(value, sfField);
    case 'date':
      return dateToSalesforce(value, icAttr, sfField, tz);
    default:
      return mismatch(sfField, icAttr);
  }
}

// ---- comparable forms -------------------------------------------------------------------------

/** Stands for a current value that cannot be read: it equals nothing, so it gets overwritten. */
export const UNREADABLE: unique symbol = Symbol('unreadable');
export type Comparable = string | number | boolean | null | typeof UNREADABLE;

function settle(p: Parsed<string | number | boolean | null>): Comparable {
  return p.ok ? p.value : UNREADABLE;
}

/**
 * A Salesforce field's value as it compares: text without trailing blanks ("" = null), numbers at
 * the field's scale, an unchecked checkbox for null, dates as YYYY-MM-DD, date-times to the second
 * (Intercom keeps no milliseconds).
 */
export function sfComparable(value: unknown, sfField: SfFieldDescribe): Comparable {
  switch (sfField.type) {
    case 'boolean': {
      const b = readBoolean(value);
      return b.ok && b.value === null && !sfField.nillable ? false : settle(b);
    }
    case 'int':
    case 'double':
    case 'currency':
    case 'percent': {
      const n = readNumber(value);
      const scale = sfScale(sfField);
      return n.ok && n.value !== null && scale !== null ? roundTo(n.value, scale) : settle(n);
    }
    case 'date': {
      const t = readText(value);
      if (!t.ok || t.value === null) return settle(t);
      return parseDateOnly(t.value.trim()) ? t.value.trim() : UNREADABLE;
    }
    case 'datetime':
      return settle(sfDateToSeconds(value, sfField, 'UTC'));
    default:
      return settle(readText(value));
  }
}

/** An Intercom attribute's value as it compares: dates as unix seconds, integers rounded. */
export function icComparable(value: unknown, icAttr: IcDataAttribute): Comparable {
  switch (icAttr.data_type) {
    case 'boolean':
      return settle(readBoolean(value));
    case 'integer': {
      const n = readNumber(value);
      return n.ok && n.value !== null ? roundTo(n.value, 0) : settle(n);
    }
    case 'float':
      return settle(readNumber(value));
    case 'date':
    case 'datetime':
      return settle(icDateToSeconds(value, icAttr.full_name));
    default:
      return settle(readText(value));
  }
}

export function sameComparable(a: Comparable, b: Comparable): boolean {
  return a !== UNREADABLE && b !== UNREADABLE && a === b;
}

/** The sync-error cause (as the errors actor records them) for a conversion failure. */
export function syncErrorCause(
  cause: ConversionCause,
): 'field_too_long' | 'invalid_picklist_value' | 'invalid_value' | 'unparseable_value' | 'required_field' {
  switch (cause) {
    case 'field_too_long':
    case 'invalid_picklist_value':
      return cause;
    case 'unparseable_number':
    case 'unparseable_boolean':
    case 'unparseable_date':
    case 'type_mismatch':
      return 'unparseable_value';
    case 'required_value_missing':
      return 'required_field';
    default:
      return 'invalid_value';
  }
}
