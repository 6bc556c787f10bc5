// Which field made Salesforce refuse a whole sObject Collections call. The request is read into
// sObjects before any record is saved, so a field the object lacks or a value its type cannot
// take refuses the call with one top-level error: INVALID_FIELD names the column and the object;
// JSON_PARSER_ERROR names the type, the JSON token, the value and where in the body the value
// is ("at [line:1, column:N]"). Without a position, the parser stopped at the first value it could
// not read: the first value of that token and text in the body. Pure: no I/O.

import type { SfRecordUpdate } from '../types.ts';

const NO_COLUMN = /No such column '([^']+)' on sobject of type (\w+)/;
const NOT_READABLE = /Cannot deserialize instance of \w+ from (\w+) value (.*?) or request may be missing a required field/s;
const POSITION = /at \[line:(\d+), column:(\d+)\]/;

/** Where each field's value sits in the body text, for the position a parser error gives. */
export interface ValueSpan {
  update: number;
  field: string;
  start: number;
  end: number;
}

/** The collections update body as sent (allOrNone false), and where each field value is in it. */
export function updateBodyText(updates: readonly SfRecordUpdate[]): { text: string; spans: ValueSpan[] } {
  const spans: ValueSpan[] = [];
  let text = '{"allOrNone":false,"records":[';
  updates.forEach((u, n) => {
    if (n > 0) text += ',';
    text += `{"attributes":{"type":${JSON.stringify(u.type)}},"id":${JSON.stringify(u.id)}`;
    for (const [field, v] of Object.entries(u.fields)) {
      if (v === undefined) continue;
      text += `,${JSON.stringify(field)}:`;
      const value = JSON.stringify(v);
      spans.push({ update: n, field, start: text.length, end: text.length + value.length });
      text += value;
    }
    text += '}';
  });
  return { text: text + ']}', spans };
}

export interface Refusal {
  object: string;
  field: string;
}

/** The JSON token a value is sent as, in the parser's words. */
function tokenOf(v: unknown): string {
  if (Array.isArray(v)) return 'START_ARRAY';
  if (v === null) return 'VALUE_NULL';
  if (typeof v === 'object') return 'START_OBJECT';
  if (typeof v === 'number') return Number.isInteger(v) ? 'VALUE_NUMBER_INT' : 'VALUE_NUMBER_FLOAT';
  if (typeof v === 'boolean') return v ? 'VALUE_TRUE' : 'VALUE_FALSE';
  return 'VALUE_STRING';
}

function textOf(v: unknown): string {
  if (Array.isArray(v)) return '[';
  if (typeof v === 'object' && v !== null) return '{';
  return String(v);
}

/** The field a refusal is about, as the updates spell it; undefined when it cannot be told. */
export function locateRefusal(
  code: string,
  message: string,
  sent: readonly SfRecordUpdate[],
  spans: readonly ValueSpan[] = [],
): Refusal | undefined {
  if (code === 'INVALID_FIELD') {
    const m = NO_COLUMN.exec(message);
    if (!m) return undefined;
    const [, column, object] = m;
    for (const u of sent) {
      if (u.type.toLowerCase() !== object.toLowerCase()) continue;
      const field = Object.keys(u.fields).find((k) => k.toLowerCase() === column.toLowerCase());
      if (field) return { object: u.type, field };
    }
    return undefined;
  }
  if (code === 'JSON_PARSER_ERROR') {
    const m = NOT_READABLE.exec(message);
    if (!m) return undefined;
    const at = POSITION.exec(message);
    if (at && at[1] === '1') {
      const offset = Number(at[2]) - 1;
      const span = spans.find((x) => offset >= x.start && offset < x.end);
      if (span) return { object: sent[span.update].type, field: span.field };
    }
    const [, token, value] = m;
    for (const u of sent) {
      for (const [field, v] of Object.entries(u.fields)) if (tokenOf(v) === token && textOf(v) === value) return { object: u.type, field };
    }
  }
  return undefined;
}

/** Indices of the updates grouped by object, each group in its original order: one chunk per
 * object, however the caller interleaved them (a call takes at most 10 chunks). */
export function groupedOrder(updates: readonly SfRecordUpdate[]): number[] {
  const types: string[] = [];
  for (const u of updates) if (!types.includes(u.type)) types.push(u.type);
  return types.flatMap((t) => updates.flatMap((u, i) => (u.type === t ? [i] : [])));
}
