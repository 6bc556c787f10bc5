// PATCH /composite/sobjects: up to 200 record updates in one call, in at most 10 chunks (runs of
// one type), one result per record in order. A request that is not well formed (a field the
// object lacks, a value that cannot be of its field's type, too many records or chunks) is
// refused whole with 400; in a well-formed one each record succeeds or fails on its own, and
// allOrNone rolls every record back when one fails. The records that pass are written as one
// transaction (one SystemModstamp), like Salesforce does.

import { deserialize, withPosition } from './deserialize.ts';
import { positionOf } from './json-offsets.ts';
import { objectOfId, sobjectName, toId18, type SfFieldSpec } from '../sf-schema.ts';
import type { SandboxOrg } from './org.ts';
import { validateChanges } from './validate.ts';
import { restError, type ApiAnswer, type SaveError, type SaveResult, type SObjectName } from './wire.ts';

export const MAX_COLLECTION = 200;
export const MAX_CHUNKS = 10;

const recordError = (statusCode: string, message: string, fields: string[] = []): SaveError => ({ statusCode, message, fields });

/** A record of the request after deserialization: its type and values, or its own error. */
type Parsed = { id: string; object: SObjectName; values: Map<SfFieldSpec, unknown> } | { id: string; error: SaveError };

function parseRecord(org: SandboxOrg, raw: unknown, index: number, text: string): Parsed | ApiAnswer {
  if (typeof raw !== 'object' || raw === null) return restError(400, 'JSON_PARSER_ERROR', 'each record must be a JSON object');
  const { attributes, id: rawId, Id: rawId2, ...fields } = raw as Record<string, unknown>;
  const id = typeof rawId === 'string' ? rawId : typeof rawId2 === 'string' ? rawId2 : '';
  const type = (attributes as { type?: unknown } | undefined)?.type;
  const object = typeof type === 'string' ? sobjectName(type) : undefined;
  if (!object) {
    const message = `sObject type '${String(type)}' is not supported. Set attributes.type to Lead or Contact.`;
    return { id, error: recordError('INVALID_TYPE', message) };
  }
  const d = deserialize(org.schema, object, fields);
  if (!d.ok) return { status: 400, body: [withPosition(d.error, positionOf(text, ['records', index, d.key]))] };
  return { id, object, values: d.values };
}

/** The chunks Salesforce would cut the records into: a new one at every change of type. */
export function countChunks(types: ReadonlyArray<string | undefined>): number {
  let chunks = 0;
  types.forEach((t, i) => {
    if (i === 0 || t !== types[i - 1]) chunks++;
  });
  return chunks;
}

function checkRecord(org: SandboxOrg, p: Parsed): { id: string; errors?: SaveError[]; values?: Record<string, unknown> } {
  if ('error' in p) return { id: p.id, errors: [p.error] };
  const { object, values } = p;
  if (!p.id) return { id: p.id, errors: [recordError('MISSING_ARGUMENT', 'Id not specified in an update call', ['Id'])] };
  const id18 = toId18(p.id);
  if (!id18 || objectOfId(id18) !== object) {
    return { id: p.id, errors: [recordError('MALFORMED_ID', `${object} ID: id value of incorrect type: ${p.id}`, ['Id'])] };
  }
  if (org.store.isDeleted(id18)) return { id: id18, errors: [recordError('ENTITY_IS_DELETED', 'entity is deleted')] };
  const hit = org.store.get(id18);
  if (!hit) return { id: id18, errors: [recordError('INVALID_CROSS_REFERENCE_KEY', 'invalid cross reference id')] };
  const id = hit.record.Id;
  if (org.faults.lockRow(id)) {
    return { id, errors: [recordError('UNABLE_TO_LOCK_ROW', `unable to obtain exclusive access to this record or 1 records: ${id}`)] };
  }
  const verdict = validateChanges(org.schema, object, hit.record, values, org.rules);
  return verdict.ok ? { id, values: verdict.values } : { id, errors: verdict.errors };
}

function rolledBack(id: string): SaveResult {
  const message = 'Record rolled back because not all records were valid and the request was using AllOrNone header';
  return { id, success: false, errors: [recordError('ALL_OR_NONE_OPERATION_ROLLED_BACK', message)] };
}

export function compositeUpdate(org: SandboxOrg, body: unknown, text = ''): ApiAnswer {
  const b = body as { allOrNone?: unknown; records?: unknown } | null;
  if (typeof b !== 'object' || b === null || !Array.isArray(b.records)) {
    return restError(400, 'JSON_PARSER_ERROR', 'The request body must be an object with a records array');
  }
  if (b.records.length > MAX_COLLECTION) {
    return restError(400, 'EXCEEDED_ID_LIMIT', 'record limit reached. cannot submit more than 200 records into this call');
  }
  const types = b.records.map((r) => {
    const t = (r as { attributes?: { type?: unknown } } | null)?.attributes?.type;
    return typeof t === 'string' ? (sobjectName(t) ?? t) : undefined;
  });
  if (countChunks(types) > MAX_CHUNKS) {
    return restError(
      400,
      'INVALID_BATCH',
      'Cannot have more than 10 chunks in a single operation. Please rearrange the data to reduce chunking.',
    );
  }
  const parsed: Parsed[] = [];
  for (const [index, raw] of b.records.entries()) {
    const p = parseRecord(org, raw, index, text);
    if ('status' in p) return p;
    parsed.push(p);
  }
  const results: SaveResult[] = [];
  const planned: Array<{ index: number; id: string; values: Record<string, unknown> }> = [];
  parsed.forEach((p, index) => {
    const checked = checkRecord(org, p);
    if (checked.errors) results.push({ id: checked.id, success: false, errors: checked.errors });
    else {
      results.push({ id: checked.id, success: true, errors: [] });
      planned.push({ index, id: checked.id, values: checked.values ?? {} });
    }
  });
  if (b.allOrNone === true && planned.length < parsed.length) {
    for (const p of planned) results[p.index] = rolledBack(p.id);
    return { status: 200, body: results };
  }
  if (planned.length) org.store.write(planned, 'api');
  return { status: 200, body: results };
}
