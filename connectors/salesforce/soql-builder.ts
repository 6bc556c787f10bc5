// Builds the SOQL the connector sends. Pure; every name and value is checked or escaped here, so
// no caller input can change a query's meaning.

import type { SfChangeCursor, SfObject } from '../types.ts';

const NAME_RE = /^[A-Za-z][A-Za-z0-9_]*$/;
const ID_RE = /^[A-Za-z0-9]{15}(?:[A-Za-z0-9]{3})?$/;
const STAMP_RE = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d{1,3})?)(?:Z|[+-]00:?00)$/;

export class SoqlBuildError extends Error {
  override name = 'SoqlBuildError';
}

export function soqlString(value: string): string {
  return `'${value.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
}

export function checkId(id: string): string {
  if (!ID_RE.test(id)) throw new SoqlBuildError(`not a Salesforce Id: ${JSON.stringify(id).slice(0, 40)}`);
  return id;
}

/** A SOQL date-time literal (UTC, unquoted) from a stored `...000+0000` value. */
export function soqlDateTime(stamp: string): string {
  const m = STAMP_RE.exec(stamp);
  if (!m) throw new SoqlBuildError(`not a UTC Salesforce date-time: ${JSON.stringify(stamp).slice(0, 40)}`);
  return `${m[1]}Z`;
}

/** Field list with the required ones first, de-duplicated case-insensitively, names checked. */
export function fieldList(fields: readonly string[], required: readonly string[]): string[] {
  const seen = new Set<string>();
  const out: string[] = [];
  for (const f of [...required, ...fields]) {
    if (typeof f !== 'string' || !NAME_RE.test(f)) throw new SoqlBuildError(`not a field name: ${JSON.stringify(f)}`);
    const key = f.toLowerCase();
    if (!seen.has(key)) {
      seen.add(key);
      out.push(f);
    }
  }
  return out;
}

function checkLimit(limit: number): number {
  if (!Number.isInteger(limit) || limit < 1) throw new SoqlBuildError(`limit must be a positive integer, got ${String(limit)}`);
  return limit;
}

export function keysetQuery(object: SfObject, fields: readonly string[], afterId: string | undefined, limit: number): string {
  const where = afterId === undefined ? '' : ` WHERE Id > ${soqlString(checkId(afterId))}`;
  return `SELECT ${fieldList(fields, ['Id']).join(', ')} FROM ${object}${where} ORDER BY Id LIMIT ${checkLimit(limit)}`;
}

export function changesQuery(object: SfObject, fields: readonly string[], cursor: SfChangeCursor | null, limit: number): string {
  let where = '';
  if (cursor) {
    const t = soqlDateTime(cursor.modstamp);
    where = ` WHERE SystemModstamp > ${t} OR (SystemModstamp = ${t} AND Id > ${soqlString(checkId(cursor.id))})`;
  }
  const list = fieldList(fields, ['Id', 'SystemModstamp']).join(', ');
  return `SELECT ${list} FROM ${object}${where} ORDER BY SystemModstamp, Id LIMIT ${checkLimit(limit)}`;
}

export function idsQuery(object: SfObject, fields: readonly string[], ids: readonly string[]): string {
  if (ids.length === 0) throw new SoqlBuildError('idsQuery needs at least one Id');
  const list = ids.map((id) => soqlString(checkId(id))).join(',');
  return `SELECT ${fieldList(fields, ['Id']).join(', ')} FROM ${object} WHERE Id IN (${list})`;
}

/** Records whose `field` equals one of `values`. Text compares case-insensitively in SOQL, so an
 * email matches whatever case Salesforce stored it in. */
export function fieldValuesQuery(object: SfObject, fields: readonly string[], field: string, values: readonly string[]): string {
  if (values.length === 0) throw new SoqlBuildError('fieldValuesQuery needs at least one value');
  const [name] = fieldList([field], []);
  const list = values
    .map((v) => {
      if (typeof v !== 'string') throw new SoqlBuildError(`not a text value: ${JSON.stringify(v)}`);
      return soqlString(v);
    })
    .join(',');
  return `SELECT ${fieldList(fields, ['Id']).join(', ')} FROM ${object} WHERE ${name} IN (${list}) ORDER BY Id`;
}
