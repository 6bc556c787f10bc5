// /__admin/*: the sandbox's control surface for tests, the CLI and demos. JSON in and out; the
// same operations exist as methods on the SalesforceSandbox object for in-process tests.

import type { SObjectName } from './wire.ts';
import { parseNdjson } from '../ndjson.ts';
import { sobjectName } from '../sf-schema.ts';
import { fieldFromFile } from '../schema-file.ts';
import type { FaultSettings } from './faults.ts';
import type { SandboxOrg } from './org.ts';
import type { ValidationRule } from './validate.ts';

export interface AdminRequest {
  method: string;
  path: string;
  query: URLSearchParams;
  body: unknown;
  rawBody: string;
  contentType: string;
}
export type AdminAnswer = { status: number; body: unknown } | { status: number; ndjson: Iterable<unknown> };

const ok = (body: unknown): AdminAnswer => ({ status: 200, body });
const bad = (message: string, status = 400): AdminAnswer => ({ status, body: { error: message } });

function asObject(body: unknown, what: string): Record<string, unknown> {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) throw new Error(`${what}: the body must be a JSON object`);
  return body as Record<string, unknown>;
}

function objectParam(value: string | null): SObjectName {
  const object = value ? sobjectName(value) : undefined;
  if (!object) throw new Error(`object must be Lead or Contact, got ${String(value)}`);
  return object;
}

export function state(org: SandboxOrg): Record<string, unknown> {
  return {
    now: new Date(org.now()).toISOString(),
    counts: org.counts(),
    usage: org.usage.snapshot(),
    faults: org.faults.current,
    rules: org.rules,
    stats: org.stats,
  };
}

export async function handleAdmin(org: SandboxOrg, req: AdminRequest): Promise<AdminAnswer> {
  try {
    return await route(org, req);
  } catch (e) {
    return bad((e as Error).message);
  }
}

async function route(org: SandboxOrg, req: AdminRequest): Promise<AdminAnswer> {
  const { method, path, query } = req;
  const key = `${method} ${path.replace(/\/$/, '')}`;
  const rec = /^\/__admin\/records\/([A-Za-z0-9]+)$/.exec(path);
  if (rec) return recordRoute(org, method, rec[1], req.body);
  const convert = /^\/__admin\/records\/([A-Za-z0-9]+)\/convert$/.exec(path);
  if (convert && method === 'POST') {
    const b = req.body === undefined ? {} : asObject(req.body, 'convert');
    return ok(org.convertLead(convert[1], typeof b.contactId === 'string' ? { contactId: b.contactId } : {}));
  }
  switch (key) {
    case 'GET /__admin/state':
      return ok(state(org));
    case 'GET /__admin/stats':
      return ok(org.stats);
    case 'DELETE /__admin/stats':
      org.resetStats();
      return ok(org.stats);
    case 'GET /__admin/records': {
      const object = objectParam(query.get('object'));
      const offset = Number(query.get('offset') ?? 0);
      const limit = Number(query.get('limit') ?? 100);
      return ok({ object, count: org.store.count(object), records: org.records(object, offset, limit) });
    }
    case 'POST /__admin/records': {
      const b = asObject(req.body, 'create');
      return ok(org.create(objectParam(String(b.type)), asObject(b.fields ?? {}, 'create fields')));
    }
    case 'POST /__admin/usage':
      return ok(usage(org, asObject(req.body, 'usage')));
    case 'POST /__admin/clock': {
      const b = asObject(req.body, 'clock');
      org.advanceClock(Number(b.advanceMs));
      return ok({ now: new Date(org.now()).toISOString() });
    }
    case 'GET /__admin/rules':
      return ok(org.rules);
    case 'POST /__admin/rules':
      return ok(org.addRule(asObject(req.body, 'rule') as unknown as ValidationRule));
    case 'DELETE /__admin/rules': {
      const name = query.get('name');
      if (name) return ok(org.removeRule(name));
      org.clearRules();
      return ok([]);
    }
    case 'GET /__admin/fields':
      return ok(org.schema.list(objectParam(query.get('object'))));
    case 'POST /__admin/fields': {
      const b = asObject(req.body, 'field');
      const object = objectParam(typeof b.object === 'string' ? b.object : null);
      org.defineField(object, fieldFromFile(b.field, `${object} field`));
      return ok(org.schema.list(object));
    }
    case 'DELETE /__admin/fields': {
      const object = objectParam(query.get('object'));
      org.deleteField(object, query.get('name') ?? '');
      return ok(org.schema.list(object));
    }
    case 'GET /__admin/faults':
      return ok(org.faults.current);
    case 'POST /__admin/faults':
      return ok(org.faults.set(asObject(req.body, 'faults') as Partial<FaultSettings>));
    case 'DELETE /__admin/faults':
      org.faults.clear();
      return ok(org.faults.current);
    case 'POST /__admin/sessions':
      return ok({ access_token: org.issueToken() });
    case 'POST /__admin/sessions/expire':
      org.sessions.expireAll();
      return ok({ expired: true });
    case 'POST /__admin/load':
      return ok({ loaded: await load(org, req) });
    case 'GET /__admin/dump':
      return { status: 200, ndjson: org.rows() };
    case 'POST /__admin/dump': {
      const b = asObject(req.body, 'dump');
      if (typeof b.path !== 'string') throw new Error('dump: path must be a string');
      return ok({ written: await org.dump(b.path) });
    }
    case 'POST /__admin/reset':
      org.store.clear();
      org.usage.reset();
      org.resetStats();
      org.clearRules();
      org.faults.clear();
      return ok(state(org));
    default:
      return bad(`no admin route ${method} ${path}`, 404);
  }
}

function recordRoute(org: SandboxOrg, method: string, id: string, body: unknown): AdminAnswer {
  if (method === 'GET') {
    const r = org.get(id);
    return r ? ok(r) : bad(`no record ${id}`, 404);
  }
  if (method === 'PATCH') return ok(org.userUpdate(id, asObject(body, 'update')));
  if (method === 'DELETE') return org.delete(id) ? ok({ deleted: id }) : bad(`no record ${id}`, 404);
  return bad(`method ${method} not allowed on a record`, 405);
}

function usage(org: SandboxOrg, b: Record<string, unknown>): unknown {
  const num = (name: string): number | undefined => {
    const v = b[name];
    if (v === undefined) return undefined;
    if (typeof v !== 'number' || !Number.isFinite(v) || v < 0) throw new Error(`usage: ${name} must be a non-negative number`);
    return v;
  };
  if (b.reset === true) org.usage.reset();
  const max = num('max');
  if (max !== undefined) org.setDailyMax(max);
  const other = num('other');
  if (other !== undefined) org.usage.setOther(other);
  const addOther = num('addOther');
  if (addOther !== undefined) org.usage.addOther(addOther);
  return org.usage.snapshot();
}

async function load(org: SandboxOrg, req: AdminRequest): Promise<number> {
  if (req.contentType.includes('ndjson')) return org.load(parseNdjson(req.rawBody, 'request body'));
  const b = asObject(req.body, 'load');
  if (b.replace === true) org.store.clear();
  if (typeof b.path === 'string') return org.load(b.path);
  if (typeof b.seed === 'object' && b.seed !== null) return org.seed(b.seed as Parameters<SandboxOrg['seed']>[0]);
  throw new Error('load: give {path} of an NDJSON file, {seed: generator options}, or an application/x-ndjson body');
}
