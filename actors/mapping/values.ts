// Reading the loosely typed values both services hand out (numbers as strings, booleans as
// "true", empty strings for "no value") into one strict form each. Every reader returns a result
// instead of throwing, so a bad value becomes a sync error naming the value.

export type WireValue = string | number | boolean | null;

export type ConversionCause =
  | 'type_mismatch'
  | 'field_too_long'
  | 'invalid_picklist_value'
  | 'invalid_email'
  | 'unparseable_number'
  | 'unparseable_boolean'
  | 'unparseable_date'
  | 'number_out_of_range'
  | 'date_out_of_range'
  | 'required_value_missing';

export type Parsed<T> = { ok: true; value: T } | { ok: false; cause: ConversionCause; message: string };

export function ok<T>(value: T): Parsed<T> {
  return { ok: true, value };
}

export function fail(cause: ConversionCause, message: string): { ok: false; cause: ConversionCause; message: string } {
  return { ok: false, cause, message };
}

/** A short, safe rendering of a value for messages. */
export function preview(v: unknown): string {
  let s: string;
  try {
    s = typeof v === 'string' ? JSON.stringify(v) : String(JSON.stringify(v) ?? v);
  } catch {
    s = Object.prototype.toString.call(v);
  }
  return s.length > 60 ? `${s.slice(0, 57)}...` : s;
}

function describeType(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'an array';
  return typeof v === 'object' ? 'an object' : `a ${typeof v}`;
}

/**
 * Text as both services should hold it: trailing whitespace dropped, and an empty string is the
 * same as no value (null). Numbers and booleans become their usual spelling.
 */
export function readText(v: unknown): Parsed<string | null> {
  if (v === null || v === undefined) return ok(null);
  if (typeof v === 'string') {
    const s = v.trimEnd();
    return ok(s === '' ? null : s);
  }
  if ((typeof v === 'number' && Number.isFinite(v)) || typeof v === 'boolean') return ok(String(v));
  return fail('type_mismatch', `expected text but got ${describeType(v)} ${preview(v)}`);
}

const NUMBER_TEXT = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;

export function readNumber(v: unknown): Parsed<number | null> {
  if (v === null || v === undefined) return ok(null);
  if (typeof v === 'number') {
    return Number.isFinite(v) ? ok(v) : fail('unparseable_number', `${String(v)} is not a finite number`);
  }
  if (typeof v === 'string') {
    const s = v.trim();
    if (s === '') return ok(null);
    const n = Number(s);
    if (NUMBER_TEXT.test(s) && Number.isFinite(n)) return ok(n);
    return fail('unparseable_number', `${preview(v)} is not a number`);
  }
  return fail('type_mismatch', `expected a number but got ${describeType(v)} ${preview(v)}`);
}

export function readBoolean(v: unknown): Parsed<boolean | null> {
  if (v === null || v === undefined) return ok(null);
  if (typeof v === 'boolean') return ok(v);
  if (typeof v === 'string') {
    const s = v.trim().toLowerCase();
    if (s === '') return ok(null);
    if (s === 'true') return ok(true);
    if (s === 'false') return ok(false);
    return fail('unparseable_boolean', `${preview(v)} is neither true nor false`);
  }
  return fail('type_mismatch', `expected true or false but got ${describeType(v)} ${preview(v)}`);
}

/** Rounds half away from zero to `scale` decimals, on the decimal digits rather than the binary
 * value, so 1.005 becomes 1.01 as a person would expect. */
export function roundTo(x: number, scale: number): number {
  const abs = Math.abs(x);
  const text = String(abs);
  const r = text.includes('e')
    ? Math.round(abs * 10 ** scale) / 10 ** scale
    : Number(`${Math.round(Number(`${text}e${scale}`))}e-${scale}`);
  return x < 0 && r !== 0 ? -r : r;
}

const DATE_TIME = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?(Z|[+-]\d{2}:?\d{2})$/;

/**
 * An ISO date-time as Salesforce writes it ("2024-01-01T00:00:00.000+0000") or with "Z" / "+00:00",
 * to epoch milliseconds; null when it is not one.
 */
export function parseDateTime(s: string): number | null {
  const m = DATE_TIME.exec(s.trim());
  if (!m) return null;
  const [y, mo, d, h, mi, se] = m.slice(1, 7).map(Number);
  if (mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || se > 59) return null;
  const ms = m[7] ? Number(m[7].padEnd(3, '0').slice(0, 3)) : 0;
  const date = new Date(Date.UTC(y, mo - 1, d, h, mi, se, ms));
  date.setUTCFullYear(y);
  if (date.getUTCDate() !== d) return null; // 2024-02-30
  const zone = m[8];
  if (zone === 'Z') return date.getTime();
  const sign = zone.startsWith('-') ? -1 : 1;
  const digits = zone.slice(1).replace(':', '');
  const offset = sign * (Number(digits.slice(0, 2)) * 60 + Number(digits.slice(2))) * 60_000;
  return date.getTime() - offset;
}

/** Unix seconds as Salesforce writes a date-time: "2024-01-01T00:00:00.000+0000" (UTC). */
export function formatSfDateTime(seconds: number): string {
  return new Date(seconds * 1000).toISOString().replace('Z', '+0000');
}
