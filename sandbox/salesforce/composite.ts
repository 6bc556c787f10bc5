// PATCH /composite/sobjects: up to 200 record updates in one call, one result per record in
// order. allOrNone rolls every record back when one fails. The records that pass are written as
// one transaction (one SystemModstamp), like Salesforce does.

import type { SfRecordError, SfRecordResult } from '../../connectors/types.ts';
import { isSfObject, objectOfId } from '../sf-schema.ts';
import type { SandboxOrg } from './org.ts';
import { validateChanges } from './validate.ts';

export const MAX_COLLECTION = 200;

export type RestError = { message: string; errorCode: string; fields?: string[] };
export type CompositeAnswer = { status: 200; body: SfRecordResult[] } | { status: 400; body: RestError[] };

const recordError = (statusCode: string, message: string, fields: string[] = []): SfRecordError => ({ statusCode, message, fields });

interface Planned {
  index: number;
  id: string;
  values: Record<string, unknown>;
}

function checkRecord(org: SandboxOrg, raw: unknown): { id: string; errors?: SfRecordError[]; values?: Record<string, unknown> } {
  if (typeof raw !== 'object' || raw === null) return { id: '', errors: [recordError('INVALID_FIELD', 'record must be an object')] };
  const { attributes, id: rawId, Id: rawId2, ...fields } = raw as Record<string, unknown>;
  const id = typeof rawId === 'string' ? rawId : typeof rawId2 === 'string' ? rawId2 : '';
  const type = (attributes as { type?: unknown } | undefined)?.type;
  if (typeof type !== 'string' || !isSfObject(type)) {
    return {
      id,
      errors: [recordError('INVALID_TYPE', `sObject type '${String(type)}' is not supported. Set attributes.type to Lead or Contact.`)],
    };
  }
  if (!id) return { id, errors: [recordError('MISSING_ARGUMENT', 'Id not specified in an update call', ['Id'])] };
  if (!/^[a-zA-Z0-9]{15}(?:[a-zA-Z0-9]{3})?$/.test(id) || objectOfId(id) !== type) {
    return { id, errors: [recordError('MALFORMED_ID', `${type} ID: id value of incorrect type: ${id}`, ['Id'])] };
  }
  if (org.store.isDeleted(id)) return { id, errors: [recordError('ENTITY_IS_DELETED', 'entity is deleted')] };
  const hit = org.store.get(id);
  if (!hit) return { id, errors: [recordError('INVALID_CROSS_REFERENCE_KEY', 'invalid cross reference id')] };
  if (org.faults.lockRow(id)) {
    return { id, errors: [recordError('UNABLE_TO_LOCK_ROW', `unable to obtain exclusive access to this record or 1 records: ${id}`)] };
  }
  const verdict = validateChanges(type, hit.record, fields, org.rules);
  return verdict.ok ? { id, values: verdict.values } : { id, errors: verdict.errors };
}

export function compositeUpdate(org: SandboxOrg, body: unknown): CompositeAnswer {
  const b = body as { allOrNone?: unknown; records?: unknown } | null;
  if (typeof b !== 'object' || b === null || !Array.isArray(b.records)) {
    return { status: 400, body: [{ message: 'The request body must be an object with a records array', errorCode: 'JSON_PARSER_ERROR' }] };
  }
  if (b.records.length > MAX_COLLECTION) {
    return {
      status: 400,
      body: [{ message: 'record limit reached. cannot submit more than 200 records into this call', errorCode: 'EXCEEDED_ID_LIMIT' }],
    };
  }
  const allOrNone = b.allOrNone === true;
  const results: SfRecordResult[] = [];
  const planned: Planned[] = [];
  b.records.forEach((raw, index) => {
    const checked = checkRecord(org, raw);
    if (checked.errors) results.push({ id: checked.id, success: false, errors: checked.errors });
    else {
      results.push({ id: checked.id, success: true, errors: [] });
      planned.push({ index, id: checked.id, values: checked.values ?? {} });
    }
  });
  const failed = planned.length < b.records.length;
  if (allOrNone && failed) {
    for (const p of planned) {
      results[p.index] = {
        id: p.id,
        success: false,
        errors: [
          recordError(
            'ALL_OR_NONE_OPERATION_ROLLED_BACK',
            'Record rolled back because not all records were valid and the request was using AllOrNone header',
          ),
        ],
      };
    }
    return { status: 200, body: results };
  }
  if (planned.length) org.store.write(planned);
  return { status: 200, body: results };
}
