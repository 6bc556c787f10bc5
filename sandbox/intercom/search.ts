// Compiles a POST /contacts/search query into a predicate, refusing what the real service
// refuses: unknown fields, operators a field type does not support (no != >= <= IN NIN on
// dates, only = and != on tag_id), more than 2 levels of groups, more than 15 filters in a group.
// The accepted fields are the description's "Accepted Fields" table. Pure: no I/O.
import { dayStart, nextDayStart } from './calendar.ts';
import type { DataAttribute, StoredContact } from './wire.ts';

export const MAX_GROUP_DEPTH = 2;
export const MAX_GROUP_SIZE = 15;

type FieldType = 'string' | 'integer' | 'float' | 'boolean' | 'date' | 'tag';
export type Predicate = (c: StoredContact) => boolean;
export interface SearchProblem {
  code: string;
  message: string;
  field?: string;
}
export type CompileResult = { ok: true; predicate: Predicate } | { ok: false; problem: SearchProblem };

const STRING_FIELDS = [
  'id',
  'role',
  'name',
  'avatar',
  'email',
  'email_domain',
  'phone',
  'external_id',
  'workspace_id',
  'language_override',
  'browser',
  'browser_language',
  'os',
  'location.country',
  'location.region',
  'location.city',
  'ios_app_version',
  'ios_device',
  'ios_app_device',
  'ios_os_version',
  'ios_app_name',
  'ios_sdk_version',
  'android_app_version',
  'android_device',
  'android_app_name',
  'andoid_sdk_version',
  'segment_id',
];
const DATE_FIELDS = [
  'created_at',
  'signed_up_at',
  'updated_at',
  'last_seen_at',
  'last_contacted_at',
  'last_replied_at',
  'last_email_opened_at',
  'last_email_clicked_at',
  'ios_last_seen_at',
  'android_last_seen_at',
];

/** The 2.14 description's "Accepted Fields" of contact search (its spelling kept). */
const STANDARD_FIELDS: Record<string, FieldType> = {
  ...Object.fromEntries(STRING_FIELDS.map((f) => [f, 'string' as const])),
  ...Object.fromEntries(DATE_FIELDS.map((f) => [f, 'date' as const])),
  owner_id: 'integer',
  unsubscribed_from_emails: 'boolean',
  marked_email_as_spam: 'boolean',
  has_hard_bounced: 'boolean',
  tag_id: 'tag',
};

const OPERATORS: Record<FieldType, readonly string[]> = {
  string: ['=', '!=', 'IN', 'NIN', '~', '!~', '^', '$'],
  boolean: ['=', '!=', 'IN', 'NIN'],
  integer: ['=', '!=', 'IN', 'NIN', '<', '>', '<=', '>='],
  float: ['=', '!=', 'IN', 'NIN', '<', '>', '<=', '>='],
  date: ['=', '<', '>'],
  tag: ['=', '!='],
};
const ALL_OPERATORS = new Set(['=', '!=', 'IN', 'NIN', '<', '<=', '>', '>=', '~', '!~', '^', '$']);

class Refused extends Error {
  override name = 'Refused';
  constructor(readonly problem: SearchProblem) {
    super(problem.message);
  }
}

export interface CompileContext {
  attributes: readonly DataAttribute[];
  timeZone: string;
}

export function compileQuery(query: unknown, ctx: CompileContext): CompileResult {
  try {
    return { ok: true, predicate: compileNode(query, 0, ctx) };
  } catch (err) {
    if (err instanceof Refused) return { ok: false, problem: err.problem };
    throw err;
  }
}

export type SortResult = { ok: true; compare: (a: StoredContact, b: StoredContact) => number } | { ok: false; problem: SearchProblem };

/** `sort: {field, order}` of a search: a searchable field (not a tag), ascending or descending.
 * Dates sort by their full value (only filters truncate them to the day). Empty values last. */
export function compileSort(sort: unknown, attributes: readonly DataAttribute[]): SortResult {
  try {
    if (!isObject(sort)) refuse('sort must be an object with field and order', 'sort');
    const { field, order } = sort;
    if (typeof field !== 'string') refuse('sort needs a field', 'sort');
    const type = fieldType(field, { attributes, timeZone: 'UTC' });
    if (!type || type === 'tag') refuse(`field ${field} cannot be sorted on`, 'sort');
    if (order !== 'ascending' && order !== 'descending')
      refuse(`sort order must be ascending or descending, got ${JSON.stringify(order)}`, 'sort');
    const get = getter(field);
    const sign = order === 'ascending' ? 1 : -1;
    return {
      ok: true,
      compare: (a, b) => {
        const [x, y] = [get(a), get(b)];
        if (x == null || y == null) return x == null ? (y == null ? 0 : 1) : -1;
        return x === y ? 0 : (x < y ? -1 : 1) * sign;
      },
    };
  } catch (err) {
    if (err instanceof Refused) return { ok: false, problem: err.problem };
    throw err;
  }
}

function refuse(message: string, field?: string): never {
  throw new Refused({ code: 'parameter_invalid', message, ...(field ? { field } : {}) });
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function compileNode(node: unknown, depth: number, ctx: CompileContext): Predicate {
  if (!isObject(node)) refuse('query must be an object with field, operator and value');
  if (node.operator === 'AND' || node.operator === 'OR') return compileGroup(node, depth + 1, ctx);
  return compileFilter(node, ctx);
}

function compileGroup(node: Record<string, unknown>, depth: number, ctx: CompileContext): Predicate {
  if (depth > MAX_GROUP_DEPTH) refuse(`query nests more than ${MAX_GROUP_DEPTH} levels of AND/OR groups`);
  const members = node.value;
  if (!Array.isArray(members) || members.length === 0)
    refuse(`an ${String(node.operator)} group needs a non-empty array of filters in value`);
  if (members.length > MAX_GROUP_SIZE)
    refuse(`an ${String(node.operator)} group has ${members.length} filters; at most ${MAX_GROUP_SIZE} are allowed`);
  const preds = members.map((m) => compileNode(m, depth, ctx));
  return node.operator === 'AND' ? (c) => preds.every((p) => p(c)) : (c) => preds.some((p) => p(c));
}

function fieldType(field: string, ctx: CompileContext): FieldType | undefined {
  if (field in STANDARD_FIELDS) return STANDARD_FIELDS[field];
  if (!field.startsWith('custom_attributes.')) return undefined;
  const attr = ctx.attributes.find((a) => a.custom && a.full_name === field);
  if (!attr) return undefined;
  return attr.data_type === 'datetime' ? 'date' : attr.data_type;
}

function compileFilter(node: Record<string, unknown>, ctx: CompileContext): Predicate {
  const { field, operator, value } = node;
  if (typeof field !== 'string' || field === '') refuse('a filter needs a field name');
  if (typeof operator !== 'string' || !ALL_OPERATORS.has(operator)) refuse(`operator ${JSON.stringify(operator)} is not supported`, field);
  if (!('value' in node)) refuse(`filter on ${field} has no value`, field);
  const type = fieldType(field, ctx);
  if (!type) refuse(`field ${field} is not searchable or does not exist`, field);
  if (!OPERATORS[type].includes(operator)) {
    refuse(`operator ${operator} is not supported on ${type} field ${field}`, field);
  }
  if (type === 'tag') return tagFilter(operator, value, field);
  const get = getter(field);
  if (operator === 'IN' || operator === 'NIN') {
    if (!Array.isArray(value)) refuse(`operator ${operator} on ${field} needs an array value`, field);
    const wanted = value.map((v) => coerce(v, type, field));
    const inSet = (c: StoredContact) => wanted.some((w) => equals(get(c), w, type));
    return operator === 'IN' ? inSet : (c) => !inSet(c);
  }
  if (Array.isArray(value)) refuse(`operator ${operator} on ${field} needs a single value, not an array`, field);
  const v = value === null ? null : coerce(value, type, field);
  if (type === 'date') return dateFilter(operator, v as number | null, get, ctx.timeZone);
  return scalarFilter(operator, v, type, get);
}

/** `tag_id = X`: the contact carries tag X; `!=`: it does not. */
function tagFilter(op: string, value: unknown, field: string): Predicate {
  if (typeof value !== 'string' && typeof value !== 'number')
    refuse(`value ${JSON.stringify(value)} does not fit tag field ${field}`, field);
  const id = String(value);
  const has = (c: StoredContact) => (c.tag_ids ?? []).includes(id);
  return op === '=' ? has : (c) => !has(c);
}

function getter(field: string): (c: StoredContact) => unknown {
  if (field.startsWith('location.')) {
    const part = field.slice('location.'.length) as keyof NonNullable<StoredContact['location']>;
    return (c) => c.location?.[part] ?? null;
  }
  if (field.startsWith('custom_attributes.')) {
    const name = field.slice('custom_attributes.'.length);
    return (c) => c.custom_attributes?.[name] ?? null;
  }
  if (field === 'email_domain') return (c) => (typeof c.email === 'string' ? (c.email.split('@')[1] ?? null) : null);
  return (c) => (c as Record<string, unknown>)[field] ?? null;
}

function coerce(raw: unknown, type: FieldType, field: string): string | number | boolean | null {
  if (raw === null) return null;
  switch (type) {
    case 'string':
      if (typeof raw === 'string' || typeof raw === 'number') return String(raw);
      break;
    case 'boolean':
      if (typeof raw === 'boolean') return raw;
      if (raw === 'true' || raw === 'false') return raw === 'true';
      break;
    default: {
      const n = typeof raw === 'number' ? raw : typeof raw === 'string' && raw.trim() !== '' ? Number(raw) : NaN;
      if (Number.isFinite(n) && (type === 'float' || Number.isInteger(n))) return n;
    }
  }
  return refuse(`value ${JSON.stringify(raw)} does not fit ${type} field ${field}`, field);
}

function equals(actual: unknown, wanted: unknown, type: FieldType): boolean {
  if (wanted === null || actual === null) return wanted === actual;
  // Search on text is case-insensitive, as the service's search index is.
  if (type === 'string') return String(actual).toLowerCase() === String(wanted).toLowerCase();
  return actual === wanted;
}

function scalarFilter(op: string, v: string | number | boolean | null, type: FieldType, get: (c: StoredContact) => unknown): Predicate {
  const text = (c: StoredContact) => {
    const a = get(c);
    return a === null ? null : String(a).toLowerCase();
  };
  const w = typeof v === 'string' ? v.toLowerCase() : '';
  const num = (c: StoredContact) => {
    const a = get(c);
    return typeof a === 'number' ? a : null;
  };
  switch (op) {
    case '=':
      return (c) => equals(get(c), v, type);
    case '!=':
      return (c) => !equals(get(c), v, type);
    case '~':
      return (c) => text(c)?.includes(w) ?? false;
    case '!~':
      return (c) => !(text(c)?.includes(w) ?? false);
    case '^':
      return (c) => text(c)?.startsWith(w) ?? false;
    case '$':
      return (c) => text(c)?.endsWith(w) ?? false;
    case '<':
      return (c) => cmp(num(c), v, (a, b) => a < b);
    case '<=':
      return (c) => cmp(num(c), v, (a, b) => a <= b);
    case '>':
      return (c) => cmp(num(c), v, (a, b) => a > b);
    default:
      return (c) => cmp(num(c), v, (a, b) => a >= b);
  }
}

function cmp(a: number | null, b: unknown, f: (a: number, b: number) => boolean): boolean {
  return a !== null && typeof b === 'number' && f(a, b);
}

/** Calendar-day semantics: `=` the whole day, `>` from the start of the next day, `<` before the day. */
function dateFilter(op: string, v: number | null, get: (c: StoredContact) => unknown, tz: string): Predicate {
  const ts = (c: StoredContact) => {
    const a = get(c);
    return typeof a === 'number' ? a : null;
  };
  if (v === null) return op === '=' ? (c) => ts(c) === null : () => false;
  const from = dayStart(v, tz);
  const to = nextDayStart(v, tz);
  if (op === '=')
    return (c) => {
      const t = ts(c);
      return t !== null && t >= from && t < to;
    };
  if (op === '>')
    return (c) => {
      const t = ts(c);
      return t !== null && t >= to;
    };
  return (c) => {
    const t = ts(c);
    return t !== null && t < from;
  };
}
