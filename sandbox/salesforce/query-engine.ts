// Runs a parsed SOQL query against the store. Checks fields, literal types, what the describe
// lets a query filter and sort on, and OFFSET's 2,000 cap the way Salesforce does, then picks a
// plan: an Id list, an Id keyset walk, a (SystemModstamp, Id) walk, or a generic filter-and-sort.
// The keyset forms peoplesync sends never scan the whole table.

import type { SObjectName, SObjectRecord } from './wire.ts';
import { sobjectName, toId18, type SfFieldSpec, type SfSchema } from '../sf-schema.ts';
import { parseSoql, SoqlSyntaxError, type Expr, type Literal, type OrderKey } from './soql.ts';
import type { RecordStore } from './store.ts';

export type QueryErrorCode =
  'MALFORMED_QUERY' | 'INVALID_FIELD' | 'INVALID_TYPE' | 'INVALID_QUERY_FILTER_OPERATOR' | 'NUMBER_OUTSIDE_VALID_RANGE';

/** The most rows OFFSET may skip. */
export const MAX_OFFSET = 2000;

export class QueryError extends Error {
  override name = 'QueryError';
  constructor(
    readonly code: QueryErrorCode,
    message: string,
  ) {
    super(message);
  }
}

export interface PreparedQuery {
  object: SObjectName;
  count: boolean;
  fields: SfFieldSpec[];
  where?: Expr;
  predicate: (r: SObjectRecord) => boolean;
  orderBy: Array<OrderKey & { spec: SfFieldSpec }>;
  limit?: number;
  offset: number;
}

const TEXT_TYPES = new Set(['string', 'email', 'phone', 'url', 'textarea', 'picklist', 'multipicklist']);
const NUMBER_TYPES = new Set(['double', 'int', 'currency', 'percent']);

const ID_TYPES = new Set(['id', 'reference']);

function literalKind(spec: SfFieldSpec): Literal['kind'] {
  if (ID_TYPES.has(spec.type) || TEXT_TYPES.has(spec.type)) return 'string';
  if (NUMBER_TYPES.has(spec.type)) return 'number';
  if (spec.type === 'boolean') return 'boolean';
  return spec.type === 'date' ? 'date' : 'datetime';
}

/** The comparable form of a value: text compares case-insensitively, as in SOQL. */
function comparable(spec: SfFieldSpec, v: unknown): string | number | boolean {
  if (TEXT_TYPES.has(spec.type)) return String(v).toLowerCase();
  return v as string | number | boolean;
}

function literalValue(spec: SfFieldSpec, lit: Literal, object: SObjectName): string | number | boolean | null {
  if (lit.kind === 'null') return null;
  const want = literalKind(spec);
  if (lit.kind !== want) {
    const quoted = want === 'string' ? 'should be enclosed in quotes' : 'should not be enclosed in quotes';
    throw new QueryError(
      'INVALID_QUERY_FILTER_OPERATOR',
      `value of filter criterion for field '${spec.name}' on entity '${object}' must be of type ${spec.type} and ${quoted}`,
    );
  }
  const value = (lit as { value: unknown }).value;
  // An Id literal may be the 15-character form: it means the same record as the 18-character one.
  if (ID_TYPES.has(spec.type) && typeof value === 'string') return toId18(value) ?? value;
  return comparable(spec, value);
}

type Ctx = { schema: SfSchema; object: SObjectName };

function resolveField({ schema, object }: Ctx, name: string): SfFieldSpec {
  const spec = schema.field(object, name);
  if (!spec) {
    throw new QueryError(
      'INVALID_FIELD',
      `No such column '${name}' on entity '${object}'. If you are attempting to use a custom field, be sure to append the '__c' after the custom field name. Please reference your WSDL or the describe call for the appropriate names.`,
    );
  }
  return spec;
}

/** A field a WHERE clause may use: the describe marks long text areas not filterable. */
function filterField(ctx: Ctx, name: string): SfFieldSpec {
  const spec = resolveField(ctx, name);
  if (!spec.filterable) throw new QueryError('INVALID_FIELD', `field '${spec.name}' can not be filtered in a query call`);
  return spec;
}

function sortField(ctx: Ctx, name: string): SfFieldSpec {
  const spec = resolveField(ctx, name);
  if (!spec.sortable) throw new QueryError('INVALID_FIELD', `field '${spec.name}' can not be sorted in a query call`);
  return spec;
}

function compare(a: string | number | boolean, b: string | number | boolean): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function compileExpr(ctx: Ctx, e: Expr): (r: SObjectRecord) => boolean {
  switch (e.type) {
    case 'and': {
      const l = compileExpr(ctx, e.left);
      const r = compileExpr(ctx, e.right);
      return (x) => l(x) && r(x);
    }
    case 'or': {
      const l = compileExpr(ctx, e.left);
      const r = compileExpr(ctx, e.right);
      return (x) => l(x) || r(x);
    }
    case 'not': {
      const inner = compileExpr(ctx, e.expr);
      return (x) => !inner(x);
    }
    case 'in': {
      const spec = filterField(ctx, e.field);
      const values = new Set(e.values.map((v) => literalValue(spec, v, ctx.object)));
      return (x) => {
        const raw = x[spec.name];
        const hit = values.has(raw == null ? null : comparable(spec, raw));
        return e.negate ? !hit : hit;
      };
    }
    case 'cmp': {
      const spec = filterField(ctx, e.field);
      const lit = literalValue(spec, e.value, ctx.object);
      if (spec.type === 'boolean' && e.op !== '=' && e.op !== '!=') {
        throw new QueryError('INVALID_QUERY_FILTER_OPERATOR', `invalid operator on boolean field ${spec.name}`);
      }
      return cmpPredicate(spec, e.op, lit);
    }
  }
}

function cmpPredicate(spec: SfFieldSpec, op: string, lit: string | number | boolean | null): (r: SObjectRecord) => boolean {
  if (lit === null) {
    if (op === '=') return (x) => x[spec.name] == null;
    if (op === '!=') return (x) => x[spec.name] != null;
    throw new QueryError('INVALID_QUERY_FILTER_OPERATOR', `null can only be compared with = or != (field ${spec.name})`);
  }
  return (x) => {
    const raw = x[spec.name];
    if (raw == null) return op === '!=';
    const c = compare(comparable(spec, raw), lit);
    switch (op) {
      case '=':
        return c === 0;
      case '!=':
        return c !== 0;
      case '<':
        return c < 0;
      case '>':
        return c > 0;
      case '<=':
        return c <= 0;
      default:
        return c >= 0;
    }
  };
}

export function prepareQuery(schema: SfSchema, text: string): PreparedQuery {
  let q;
  try {
    q = parseSoql(text);
  } catch (err) {
    if (err instanceof SoqlSyntaxError) throw new QueryError('MALFORMED_QUERY', err.message);
    throw err;
  }
  const object = sobjectName(q.object);
  if (!object) throw new QueryError('INVALID_TYPE', `sObject type '${q.object}' is not supported.`);
  if ((q.offset ?? 0) > MAX_OFFSET) throw new QueryError('NUMBER_OUTSIDE_VALID_RANGE', `Maximum SOQL offset allowed is ${MAX_OFFSET}`);
  const ctx: Ctx = { schema, object };
  const seen = new Set<string>();
  const fields = q.fields.map((name) => {
    const spec = resolveField(ctx, name);
    if (seen.has(spec.name)) throw new QueryError('MALFORMED_QUERY', `duplicate field selected: ${spec.name}`);
    seen.add(spec.name);
    return spec;
  });
  return {
    object,
    count: q.count === true,
    fields,
    where: q.where,
    predicate: q.where ? compileExpr(ctx, q.where) : () => true,
    orderBy: q.orderBy.map((k) => ({ ...k, spec: sortField(ctx, k.field) })),
    limit: q.limit,
    offset: q.offset ?? 0,
  };
}

interface Bound {
  value: string;
  inclusive: boolean;
}

/** The least value of `field` the filter allows, when the filter implies one. */
function lowerBoundOf(e: Expr | undefined, field: string): Bound | undefined {
  if (!e) return undefined;
  switch (e.type) {
    case 'cmp': {
      const name = e.field.toLowerCase() === field.toLowerCase();
      if (!name || (e.value.kind !== 'string' && e.value.kind !== 'datetime')) return undefined;
      const value = field === 'Id' && e.value.kind === 'string' ? (toId18(e.value.value) ?? e.value.value) : e.value.value;
      if (e.op === '>' || e.op === '>=' || e.op === '=') return { value, inclusive: e.op !== '>' };
      return undefined;
    }
    case 'and': {
      const l = lowerBoundOf(e.left, field);
      const r = lowerBoundOf(e.right, field);
      if (!l || !r) return l ?? r;
      return l.value > r.value || (l.value === r.value && !l.inclusive) ? l : r;
    }
    case 'or': {
      const l = lowerBoundOf(e.left, field);
      const r = lowerBoundOf(e.right, field);
      if (!l || !r) return undefined;
      return l.value < r.value || (l.value === r.value && l.inclusive) ? l : r;
    }
    default:
      return undefined;
  }
}

/** The only Ids the filter can match, when it names them (Id = x, Id IN (...)). */
function idSetOf(e: Expr | undefined): string[] | undefined {
  if (!e) return undefined;
  if (e.type === 'in' && !e.negate && e.field.toLowerCase() === 'id') {
    return e.values.flatMap((v) => (v.kind === 'string' ? [v.value] : []));
  }
  if (e.type === 'cmp' && e.op === '=' && e.field.toLowerCase() === 'id' && e.value.kind === 'string') return [e.value.value];
  if (e.type === 'and') return idSetOf(e.left) ?? idSetOf(e.right);
  if (e.type === 'or') {
    const l = idSetOf(e.left);
    const r = idSetOf(e.right);
    return l && r ? [...l, ...r] : undefined;
  }
  return undefined;
}

function orderComparator(keys: PreparedQuery['orderBy']): (a: SObjectRecord, b: SObjectRecord) => number {
  return (a, b) => {
    for (const k of keys) {
      const va = a[k.spec.name];
      const vb = b[k.spec.name];
      let c: number;
      if (va == null || vb == null) {
        c = va == null && vb == null ? 0 : (va == null) === k.nullsLast ? 1 : -1;
        if (c !== 0) return c;
        continue;
      }
      c = compare(comparable(k.spec, va), comparable(k.spec, vb));
      if (c !== 0) return k.desc ? -c : c;
    }
    return 0;
  };
}

const isAsc = (k: PreparedQuery['orderBy'][number] | undefined, name: string) => k !== undefined && k.spec.name === name && !k.desc;

/** Matching records in result order, after OFFSET and LIMIT. */
export function executeQuery(store: RecordStore, q: PreparedQuery): SObjectRecord[] {
  const want = q.limit === undefined ? Infinity : q.limit + q.offset;
  const take = (source: Iterable<SObjectRecord>): SObjectRecord[] => {
    const out: SObjectRecord[] = [];
    if (want === 0) return out;
    for (const r of source) {
      if (q.predicate(r)) {
        out.push(r);
        if (out.length >= want) break;
      }
    }
    return out;
  };
  let rows: SObjectRecord[];
  const ids = idSetOf(q.where);
  const [k1, k2] = q.orderBy;
  if (ids) {
    const found = [...new Set(ids)].flatMap((id) => {
      const hit = store.get(id);
      return hit && hit.object === q.object ? [hit.record] : [];
    });
    const filtered = found.filter(q.predicate);
    filtered.sort(q.orderBy.length ? orderComparator(q.orderBy) : (a, b) => compare(a.Id, b.Id));
    rows = filtered.slice(0, want);
  } else if (q.orderBy.length === 0 || (q.orderBy.length === 1 && isAsc(k1, 'Id'))) {
    const from = lowerBoundOf(q.where, 'Id');
    rows = take(store.byIdFrom(q.object, from && { id: from.value, inclusive: from.inclusive }));
  } else if (isAsc(k1, 'SystemModstamp') && (q.orderBy.length === 1 || (q.orderBy.length === 2 && isAsc(k2, 'Id')))) {
    rows = take(store.byModstampFrom(q.object, lowerBoundOf(q.where, 'SystemModstamp')?.value));
  } else {
    const all = [...store.all(q.object)].filter(q.predicate);
    all.sort(orderComparator(q.orderBy));
    rows = all.slice(0, want);
  }
  return q.offset ? rows.slice(q.offset) : rows;
}
