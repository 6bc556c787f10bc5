// How a write's JSON becomes field values, before any record is looked at. Salesforce reads the
// whole request into sObjects first: a field the object does not have, or a JSON value that cannot
// become the field's type, makes the request not well formed, and the whole call is refused with
// 400 and a top-level error (salesforce/write_error_response.json: INVALID_FIELD "No such column
// 'foo' on sobject of type Bar"; a wrong type is JSON_PARSER_ERROR "Cannot deserialize instance
// of <type> from <token> value <value> ..."). Only a well-formed request gets per-record results.
// Pure: no I/O.

import { formatSfDateTime, parseSfDateTime, type SfFieldKind, type SfFieldSpec, type SfSchema } from '../sf-schema.ts';
import type { TextPosition } from './json-offsets.ts';
import type { RestError, SObjectName } from './wire.ts';

export type Deserialized =
  | { ok: true; values: Map<SfFieldSpec, unknown> }
  /** `key` is the field as the request named it; JSON_PARSER_ERROR's message gets its position. */
  | { ok: false; error: RestError; key: string };

const TEXT: ReadonlySet<SfFieldKind> = new Set([
  'id',
  'reference',
  'string',
  'email',
  'phone',
  'url',
  'textarea',
  'picklist',
  'multipicklist',
]);
const NUMBER: ReadonlySet<SfFieldKind> = new Set(['double', 'int', 'currency', 'percent']);
const DATE_RE = /^\d{4}-\d{2}-\d{2}$/;

/** The type name the platform's parser uses in its message (the field's SOAP type). */
function typeName(kind: SfFieldKind): string {
  if (TEXT.has(kind)) return 'string';
  if (kind === 'currency' || kind === 'percent') return 'double';
  return kind;
}

/** The JSON token a value arrived as, in the parser's words. */
function token(v: unknown): string {
  if (Array.isArray(v)) return 'START_ARRAY';
  if (typeof v === 'object') return 'START_OBJECT';
  if (typeof v === 'number') return Number.isInteger(v) ? 'VALUE_NUMBER_INT' : 'VALUE_NUMBER_FLOAT';
  if (typeof v === 'boolean') return v ? 'VALUE_TRUE' : 'VALUE_FALSE';
  return 'VALUE_STRING';
}

function cannot(f: SfFieldSpec, v: unknown): RestError {
  const shown = typeof v === 'object' ? (Array.isArray(v) ? '[' : '{') : String(v);
  return {
    message: `Cannot deserialize instance of ${typeName(f.type)} from ${token(v)} value ${shown} or request may be missing a required field`,
    errorCode: 'JSON_PARSER_ERROR',
  };
}

const UNPARSED = Symbol('unparsed');

/** The value in its stored form, or UNPARSED when the JSON value cannot be of the field's type. */
function convert(f: SfFieldSpec, v: unknown): unknown {
  if (v === null || v === '') return v;
  if (typeof v === 'object') return UNPARSED;
  if (TEXT.has(f.type)) return String(v);
  if (f.type === 'boolean') {
    if (typeof v === 'boolean') return v;
    const s = typeof v === 'string' ? v.toLowerCase() : '';
    return s === 'true' ? true : s === 'false' ? false : UNPARSED;
  }
  if (NUMBER.has(f.type)) {
    const n = typeof v === 'number' ? v : typeof v === 'string' && v.trim() !== '' ? Number(v) : Number.NaN;
    if (!Number.isFinite(n)) return UNPARSED;
    return f.type === 'int' && !Number.isInteger(n) ? UNPARSED : n;
  }
  if (typeof v !== 'string') return UNPARSED;
  if (f.type === 'date') return DATE_RE.test(v) && !Number.isNaN(Date.parse(v)) ? v : UNPARSED;
  const ms = parseSfDateTime(v);
  return Number.isNaN(ms) ? UNPARSED : formatSfDateTime(ms);
}

/** The fields of one record of a write, by their describe entry; or the error refusing the call. */
/** The refusal with the parser's position of the value in the request text, when it has one. */
export function withPosition(error: RestError, position: TextPosition | undefined): RestError {
  if (error.errorCode !== 'JSON_PARSER_ERROR' || !position) return error;
  return { ...error, message: `${error.message} at [line:${position.line}, column:${position.column}]` };
}

export function deserialize(schema: SfSchema, object: SObjectName, fields: Record<string, unknown>): Deserialized {
  const values = new Map<SfFieldSpec, unknown>();
  for (const [name, raw] of Object.entries(fields)) {
    const f = schema.field(object, name);
    if (!f)
      return {
        ok: false,
        key: name,
        error: { message: `No such column '${name}' on sobject of type ${object}`, errorCode: 'INVALID_FIELD' },
      };
    const v = convert(f, raw);
    if (v === UNPARSED) return { ok: false, key: name, error: cannot(f, raw) };
    values.set(f, v);
  }
  return { ok: true, values };
}
