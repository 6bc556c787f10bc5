// One record by its resource: GET /sobjects/{type}/{id} reads it, PATCH updates it (204 No
// Content), POST /sobjects/{type} creates one (201 with {id, success, errors}). A single-record
// write is refused with 400 and a top-level error array, the record's error codes at the top
// (`[{message, errorCode, fields}]`), not a SaveResult. The type is case-insensitive and the Id
// may be given in its 15- or 18-character form.

import { deserialize, withPosition } from './deserialize.ts';
import { positionOf } from './json-offsets.ts';
import { MissingFieldsError, type SandboxOrg } from './org.ts';
import { prepareQuery } from './query-engine.ts';
import { objectOfId, sobjectName, toId18 } from '../sf-schema.ts';
import { validateChanges } from './validate.ts';
import { restError, type ApiAnswer, type SObjectName, type SObjectRecord } from './wire.ts';

export const notFound = (): ApiAnswer => restError(404, 'NOT_FOUND', 'The requested resource does not exist');

/** The record's JSON form: `attributes`, then the fields asked for (every field by default). */
export function serialize(
  object: SObjectName,
  fields: readonly { name: string }[],
  r: SObjectRecord,
  version: string,
): Record<string, unknown> {
  const out: Record<string, unknown> = { attributes: { type: object, url: `/services/data/v${version}/sobjects/${object}/${r.Id}` } };
  for (const f of fields) out[f.name] = r[f.name] ?? null;
  return out;
}

function find(org: SandboxOrg, type: string, id: string): { object: SObjectName; record: SObjectRecord } | undefined {
  const object = sobjectName(type);
  const hit = object ? org.store.get(id) : undefined;
  return hit && hit.object === object ? hit : undefined;
}

export function retrieve(org: SandboxOrg, type: string, id: string, wanted: string | null, version: string): ApiAnswer {
  const hit = find(org, type, id);
  if (!hit) return notFound();
  const fields = wanted ? prepareQuery(org.schema, `SELECT ${wanted} FROM ${hit.object}`).fields : org.schema.list(hit.object);
  return { status: 200, body: serialize(hit.object, fields, hit.record, version) };
}

function fieldsOf(body: unknown): { fields: Record<string, unknown> } | { refused: ApiAnswer } {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    return { refused: restError(400, 'JSON_PARSER_ERROR', 'The request body must be a JSON object of field values') };
  }
  const { attributes: _a, ...fields } = body as Record<string, unknown>;
  return { fields };
}

export function updateOne(org: SandboxOrg, type: string, id: string, body: unknown, text = ''): ApiAnswer {
  const object = sobjectName(type);
  if (!object) return notFound();
  const id18 = toId18(id);
  if (!id18 || objectOfId(id18) !== object)
    return restError(404, 'NOT_FOUND', `Provided external ID field does not exist or is not accessible: ${id}`);
  if (org.store.isDeleted(id18)) return restError(404, 'ENTITY_IS_DELETED', 'entity is deleted');
  const hit = find(org, object, id18);
  if (!hit) return notFound();
  const given = fieldsOf(body);
  if ('refused' in given) return given.refused;
  const d = deserialize(org.schema, object, given.fields);
  if (!d.ok) return { status: 400, body: [withPosition(d.error, positionOf(text, [d.key]))] };
  if (org.faults.lockRow(hit.record.Id)) {
    return restError(400, 'UNABLE_TO_LOCK_ROW', `unable to obtain exclusive access to this record or 1 records: ${hit.record.Id}`);
  }
  const verdict = validateChanges(org.schema, object, hit.record, d.values, org.rules);
  if (!verdict.ok)
    return { status: 400, body: verdict.errors.map((e) => ({ message: e.message, errorCode: e.statusCode, fields: e.fields })) };
  org.store.write([{ id: hit.record.Id, values: verdict.values }], 'api');
  return { status: 204, body: undefined };
}

export function createOne(org: SandboxOrg, type: string, body: unknown, text = ''): ApiAnswer {
  const object = sobjectName(type);
  if (!object) return notFound();
  const given = fieldsOf(body);
  if ('refused' in given) return given.refused;
  const d = deserialize(org.schema, object, given.fields);
  if (!d.ok) return { status: 400, body: [withPosition(d.error, positionOf(text, [d.key]))] };
  const verdict = validateChanges(org.schema, object, { Id: '' }, d.values, org.rules, 'create');
  if (!verdict.ok)
    return { status: 400, body: verdict.errors.map((e) => ({ message: e.message, errorCode: e.statusCode, fields: e.fields })) };
  try {
    const created = org.store.create(object, org.createValues(object, verdict.values), 'api');
    return { status: 201, body: { id: created.Id, success: true, errors: [] } };
  } catch (err) {
    if (err instanceof MissingFieldsError) return restError(400, 'REQUIRED_FIELD_MISSING', err.message, err.fields);
    throw err;
  }
}
