// Pure conversions between Intercom's wire shapes and the connector types, plus the input
// checks that run before anything is sent. No I/O.
import { ConnectorError } from '../errors.ts';
import type { IcContact, IcContactPatch, IcDataAttribute, IcDataType, IcPage, IcSearchQuery } from '../types.ts';

export const MAX_PER_PAGE = 150;
/** Search matches timestamps by calendar day in the workspace's zone: reach back a day, plus an
 * hour for a 25-hour day at a DST change, so `>` still covers the instant asked for. */
export const UPDATED_SINCE_OVERLAP_S = 86_400 + 3_600;

/** update_contact_request in the 2.14 description: these are strings, not nullable. */
const NOT_NULLABLE: ReadonlySet<string> = new Set(['role', 'external_id', 'email']);

const PATCH_FIELDS: ReadonlySet<string> = new Set([
  'role',
  'external_id',
  'email',
  'phone',
  'name',
  'signed_up_at',
  'last_seen_at',
  'owner_id',
  'unsubscribed_from_emails',
  'custom_attributes',
]);

function badInput(message: string, field?: string): ConnectorError {
  return new ConnectorError(message, { kind: 'invalid', system: 'intercom', code: 'invalid_input', fields: field ? [field] : [] });
}

function badResponse(message: string): ConnectorError {
  return new ConnectorError(`Intercom answered an unexpected shape: ${message}`, {
    system: 'intercom',
    code: 'bad_response',
    kind: 'unknown',
  });
}

export function checkPerPage(perPage: number): number {
  if (!Number.isInteger(perPage) || perPage < 1 || perPage > MAX_PER_PAGE) {
    throw badInput(`perPage must be an integer from 1 to ${MAX_PER_PAGE}, got ${perPage}`, 'perPage');
  }
  return perPage;
}

export function checkId(id: unknown): string {
  if (typeof id !== 'string' || id.trim() === '' || id.includes('/')) {
    throw badInput(`contact id must be a non-empty string without '/', got ${JSON.stringify(id)}`, 'id');
  }
  return id;
}

/** The PUT body: only the fields present in the patch; unknown fields are refused. */
export function patchBody(patch: IcContactPatch): Record<string, unknown> {
  if (typeof patch !== 'object' || patch === null || Array.isArray(patch)) throw badInput('patch must be an object');
  const body: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(patch)) {
    if (!PATCH_FIELDS.has(key)) throw badInput(`patch field ${key} cannot be updated (allowed: ${[...PATCH_FIELDS].join(', ')})`, key);
    if (value === undefined) continue;
    if (value === null && NOT_NULLABLE.has(key)) throw badInput(`patch field ${key} cannot be cleared (null) through the API`, key);
    if (key === 'custom_attributes' && (typeof value !== 'object' || value === null || Array.isArray(value))) {
      throw badInput('custom_attributes must be an object', key);
    }
    body[key] = value;
  }
  if (Object.keys(body).length === 0) throw badInput('patch has no field to update');
  return body;
}

const nullableString = (v: unknown): string | null => (typeof v === 'string' && v !== '' ? v : null);
const nullableNumber = (v: unknown): number | null => (typeof v === 'number' ? v : null);

/** Keeps the fields peoplesync uses; a bulk index of many contacts stays small. */
export function toIcContact(raw: unknown): IcContact {
  const r = raw as Record<string, unknown> | null;
  if (typeof r !== 'object' || r === null || typeof r.id !== 'string') throw badResponse('a contact without an id');
  if (r.role !== 'user' && r.role !== 'lead') throw badResponse(`contact ${r.id} has role ${JSON.stringify(r.role)}`);
  const ca = r.custom_attributes;
  return {
    type: 'contact',
    id: r.id,
    ...(typeof r.workspace_id === 'string' ? { workspace_id: r.workspace_id } : {}),
    external_id: nullableString(r.external_id),
    role: r.role,
    email: nullableString(r.email),
    phone: nullableString(r.phone),
    name: nullableString(r.name),
    owner_id: nullableNumber(r.owner_id),
    custom_attributes: typeof ca === 'object' && ca !== null && !Array.isArray(ca) ? { ...(ca as Record<string, unknown>) } : {},
    created_at: nullableNumber(r.created_at) ?? 0,
    updated_at: nullableNumber(r.updated_at) ?? 0,
    signed_up_at: nullableNumber(r.signed_up_at),
    last_seen_at: nullableNumber(r.last_seen_at),
    unsubscribed_from_emails: r.unsubscribed_from_emails === true,
  };
}

export function toIcPage(raw: unknown): IcPage {
  const r = raw as { data?: unknown; total_count?: unknown; pages?: { next?: { starting_after?: unknown } | null } | null } | null;
  if (typeof r !== 'object' || r === null || !Array.isArray(r.data)) throw badResponse('a list without data');
  const next = r.pages?.next?.starting_after;
  return {
    contacts: r.data.map(toIcContact),
    ...(typeof next === 'string' && next !== '' ? { next } : {}),
    totalCount: typeof r.total_count === 'number' ? r.total_count : r.data.length,
  };
}

const DATA_TYPES: ReadonlySet<string> = new Set(['string', 'integer', 'float', 'boolean', 'date', 'datetime']);

export function toIcDataAttributes(raw: unknown): IcDataAttribute[] {
  const data = (raw as { data?: unknown } | null)?.data;
  if (!Array.isArray(data)) throw badResponse('a data attribute list without data');
  return data.map((d) => {
    const a = d as Record<string, unknown>;
    if (typeof a.name !== 'string' || typeof a.data_type !== 'string' || !DATA_TYPES.has(a.data_type)) {
      throw badResponse(`data attribute ${JSON.stringify(a.name)} with type ${JSON.stringify(a.data_type)}`);
    }
    return {
      name: a.name,
      full_name: typeof a.full_name === 'string' ? a.full_name : a.name,
      label: typeof a.label === 'string' ? a.label : a.name,
      data_type: a.data_type as IcDataType,
      custom: a.custom === true,
      archived: a.archived === true,
      api_writable: a.api_writable !== false,
      ...(Array.isArray(a.options) ? { options: a.options.map(String) } : {}),
    };
  });
}

export function updatedSinceQuery(unixSeconds: number): IcSearchQuery {
  if (!Number.isInteger(unixSeconds) || unixSeconds < 0) {
    throw badInput(`updated-since must be integer unix seconds >= 0, got ${unixSeconds}`, 'unixSeconds');
  }
  return { field: 'updated_at', operator: '>', value: Math.max(0, unixSeconds - UPDATED_SINCE_OVERLAP_S) };
}

/** Drops what the day-wide overlap brought back: older than asked, or already yielded. */
export function freshOnly(contacts: IcContact[], sinceSeconds: number, seen: Set<string>): IcContact[] {
  const out: IcContact[] = [];
  for (const c of contacts) {
    if (c.updated_at < sinceSeconds || seen.has(c.id)) continue;
    seen.add(c.id);
    out.push(c);
  }
  return out;
}
