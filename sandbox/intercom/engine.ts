// The sandbox's behaviour without HTTP: each REST operation takes parsed input and returns a
// status and a body shaped as the 2.14 description says. The server adds transport concerns
// (auth, rate limit headers, faults). Changes made through the API notify the webhook
// subscription like any other change, as the service does.
import { randomUUID } from 'node:crypto';
import { applyPatch, emailKey, validatePatch, type ValidPatch } from './contact-patch.ts';
import { renderDataAttribute } from './data-attributes.ts';
import { renderContact } from './render.ts';
import { compileQuery, compileSort } from './search.ts';
import { ContactStore } from './store.ts';
import type { IntercomSandboxOptions } from './types.ts';
import { topicsFor, type ContactTopic, type WebhookSender } from './webhooks.ts';
import type { DataAttribute, StoredContact } from './wire.ts';

export interface ApiResult {
  status: number;
  body: unknown;
}

export const MAX_PER_PAGE = 150;
const DEFAULT_PER_PAGE = 50;

export function errorList(code: string, message: string, field?: string): Record<string, unknown> {
  return { type: 'error.list', request_id: randomUUID(), errors: [{ code, message, ...(field ? { field } : {}) }] };
}

function fail(status: number, code: string, message: string, field?: string): ApiResult {
  return { status, body: errorList(code, message, field) };
}

interface Cursor {
  s: number;
  p: number;
  t?: number;
  /** A sorted search: `s` is how many results came before. */
  o?: 1;
}

export function encodeCursor(c: Cursor): string {
  return Buffer.from(JSON.stringify(c)).toString('base64url');
}

export function decodeCursor(raw: string): Cursor | undefined {
  try {
    const c = JSON.parse(Buffer.from(raw, 'base64url').toString('utf8')) as Cursor;
    return Number.isInteger(c.s) && Number.isInteger(c.p) ? c : undefined;
  } catch {
    return undefined;
  }
}

type PageSizeResult = { ok: true; perPage: number } | { ok: false; result: ApiResult };

function pageSize(raw: unknown): PageSizeResult {
  if (raw === undefined || raw === null || raw === '') return { ok: true, perPage: DEFAULT_PER_PAGE };
  const n = typeof raw === 'number' ? raw : Number(raw);
  if (!Number.isInteger(n) || n < 1 || n > MAX_PER_PAGE) {
    return {
      ok: false,
      result: fail(
        400,
        'parameter_invalid',
        `per_page must be an integer from 1 to ${MAX_PER_PAGE}, got ${JSON.stringify(raw)}`,
        'per_page',
      ),
    };
  }
  return { ok: true, perPage: n };
}

export class IntercomEngine {
  readonly store: ContactStore;

  constructor(
    readonly opts: IntercomSandboxOptions,
    private readonly webhooks: WebhookSender,
  ) {
    this.store = new ContactStore(opts.seed);
  }

  now(): number {
    return this.opts.now();
  }
  render(c: StoredContact): Record<string, unknown> {
    return renderContact(c, this.opts.workspaceId);
  }
  get attributes(): DataAttribute[] {
    return this.opts.dataAttributes;
  }

  listContacts(q: URLSearchParams): ApiResult {
    const size = pageSize(q.get('per_page') ?? undefined);
    if (!size.ok) return size.result;
    const after = q.get('starting_after');
    const cursor = after ? decodeCursor(after) : { s: 0, p: 0 };
    if (!cursor) return fail(400, 'parameter_invalid', 'starting_after is not a valid cursor', 'starting_after');
    const page = this.store.pageAfter(cursor.s, size.perPage);
    return {
      status: 200,
      body: this.listBody(page.contacts, this.store.size, size.perPage, cursor.p + 1, page.more ? page.lastSeq : undefined),
    };
  }

  searchContacts(body: unknown): ApiResult {
    if (typeof body !== 'object' || body === null || !('query' in body)) {
      return fail(400, 'parameter_invalid', 'the request body needs a query object', 'query');
    }
    const { query, pagination, sort } = body as {
      query: unknown;
      pagination?: { per_page?: unknown; starting_after?: unknown } | null;
      sort?: unknown;
    };
    const compiled = compileQuery(query, { attributes: this.attributes, timeZone: this.opts.timeZone });
    if (!compiled.ok) return fail(400, compiled.problem.code, compiled.problem.message, compiled.problem.field);
    if (sort !== undefined) {
      const order = compileSort(sort, this.attributes);
      if (!order.ok) return fail(400, order.problem.code, order.problem.message, order.problem.field);
      return this.sortedSearch(compiled.predicate, order.compare, pagination);
    }
    const size = pageSize(pagination?.per_page);
    if (!size.ok) return size.result;
    const after = pagination?.starting_after;
    const cursor = typeof after === 'string' && after !== '' ? decodeCursor(after) : { s: 0, p: 0 };
    if (!cursor) return fail(400, 'parameter_invalid', 'pagination.starting_after is not a valid cursor', 'starting_after');
    const now = this.now();
    // The total is computed once, on the first page, and carried in the cursor.
    const total = cursor.t ?? this.store.countMatches(now, compiled.predicate);
    const page = this.store.scan(cursor.s, size.perPage, now, compiled.predicate);
    const next = page.more ? page.lastSeq : undefined;
    return { status: 200, body: this.listBody(page.contacts, total, size.perPage, cursor.p + 1, next, total) };
  }

  /** A search with `sort`: every match ordered (ties by id), a page at an offset the cursor keeps. */
  private sortedSearch(
    predicate: (c: StoredContact) => boolean,
    compare: (a: StoredContact, b: StoredContact) => number,
    pagination: { per_page?: unknown; starting_after?: unknown } | null | undefined,
  ): ApiResult {
    const size = pageSize(pagination?.per_page);
    if (!size.ok) return size.result;
    const after = pagination?.starting_after;
    const cursor = typeof after === 'string' && after !== '' ? decodeCursor(after) : { s: 0, p: 0, o: 1 as const };
    if (!cursor || cursor.o !== 1)
      return fail(400, 'parameter_invalid', 'pagination.starting_after is not a valid cursor', 'starting_after');
    const all = this.store.matches(this.now(), predicate).sort((a, b) => compare(a, b) || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
    const page = all.slice(cursor.s, cursor.s + size.perPage);
    const end = cursor.s + page.length;
    const pages: Record<string, unknown> = {
      type: 'pages',
      page: cursor.p + 1,
      per_page: size.perPage,
      total_pages: Math.ceil(all.length / size.perPage),
    };
    if (end < all.length) pages.next = { per_page: size.perPage, starting_after: encodeCursor({ s: end, p: cursor.p + 1, o: 1 }) };
    return { status: 200, body: { type: 'list', data: page.map((c) => this.render(c)), total_count: all.length, pages } };
  }

  private listBody(
    contacts: StoredContact[],
    total: number,
    perPage: number,
    page: number,
    nextSeq?: number,
    t?: number,
  ): Record<string, unknown> {
    const pages: Record<string, unknown> = { type: 'pages', page, per_page: perPage, total_pages: Math.ceil(total / perPage) };
    if (nextSeq !== undefined)
      pages.next = { per_page: perPage, starting_after: encodeCursor({ s: nextSeq, p: page, ...(t !== undefined ? { t } : {}) }) };
    return { type: 'list', data: contacts.map((c) => this.render(c)), total_count: total, pages };
  }

  getContact(id: string): ApiResult {
    const c = this.store.get(id);
    return c ? { status: 200, body: this.render(c) } : fail(404, 'not_found', 'User Not Found');
  }

  updateContact(id: string, body: unknown): ApiResult {
    const before = this.store.get(id);
    if (!before) return fail(404, 'not_found', 'User Not Found');
    const checked = validatePatch(body, this.attributes);
    if (!checked.ok) return fail(checked.problem.status, checked.problem.code, checked.problem.message, checked.problem.field);
    const conflict = this.conflictFor(id, checked.patch);
    if (conflict) return fail(409, 'conflict', `A contact matching those details already exists with id=${conflict}`);
    return { status: 200, body: this.render(this.commit(before, checked.patch, this.opts.customAttributesMode)) };
  }

  /** DELETE /contacts/{id}: answers schema `contact_deleted` and notifies `contact.deleted`. */
  deleteContact(id: string): ApiResult {
    const gone = this.store.get(id);
    if (!gone) return fail(404, 'not_found', 'User Not Found');
    this.store.remove(id);
    const ref = { type: 'contact', id: gone.id, external_id: gone.external_id ?? null };
    this.emit('contact.deleted', { ...ref, deleted: true });
    return { status: 200, body: { ...ref, deleted: true } };
  }

  /** POST /contacts/merge: a lead (`from`) into a user (`into`); the lead is gone afterwards. */
  mergeContacts(body: unknown): ApiResult {
    const b = body as { from?: unknown; into?: unknown } | null;
    if (typeof b?.from !== 'string' || typeof b.into !== 'string') {
      return fail(400, 'parameter_invalid', 'from and into must be contact ids', typeof b?.from !== 'string' ? 'from' : 'into');
    }
    const from = this.store.get(b.from);
    const into = this.store.get(b.into);
    if (!from || !into) return fail(404, 'not_found', 'User Not Found');
    if (from.role !== 'lead') return fail(400, 'parameter_invalid', 'the contact merged away (from) must be a lead', 'from');
    if (into.role !== 'user') return fail(400, 'parameter_invalid', 'the contact merged into (into) must be a user', 'into');
    return { status: 200, body: this.render(this.merge(from, into)) };
  }

  /** Moves what the user lacks over from the lead, removes the lead, notifies `contact.merged`. */
  merge(from: StoredContact, into: StoredContact): StoredContact {
    this.store.remove(from.id);
    const patch: ValidPatch = { custom_attributes: { ...from.custom_attributes, ...into.custom_attributes } };
    for (const f of ['email', 'phone', 'name'] as const) if (into[f] == null && from[f] != null) patch[f] = from[f];
    return this.commit(into, patch, 'merge', ['contact.merged']);
  }

  listDataAttributes(q: URLSearchParams): ApiResult {
    const model = q.get('model') ?? 'contact';
    if (!['contact', 'company', 'conversation'].includes(model)) {
      return fail(400, 'parameter_invalid', `model must be contact, company or conversation, got ${JSON.stringify(model)}`, 'model');
    }
    const includeArchived = q.get('include_archived') === 'true';
    // Only the contact model is part of the shared data model; the others are empty here.
    const attrs = model === 'contact' ? this.attributes.filter((a) => includeArchived || !a.archived) : [];
    return { status: 200, body: { type: 'list', data: attrs.map((a, i) => renderDataAttribute(a, i)) } };
  }

  /** The id of another contact already holding the email or external_id the patch sets. */
  conflictFor(id: string, patch: ValidPatch): string | undefined {
    const current = this.store.get(id);
    // Only a change of email can conflict: seeded data may already hold duplicates.
    if (patch.email !== undefined && emailKey(patch.email) !== emailKey(current?.email)) {
      const holder = this.store.idForEmail(patch.email, id);
      if (holder) return holder;
    }
    const byExternal = this.store.idForExternalId(patch.external_id);
    return byExternal && byExternal !== id ? byExternal : undefined;
  }

  /** Stores the change (search sees it after the lag) and notifies its topics. */
  commit(before: StoredContact, patch: ValidPatch, mode: 'merge' | 'replace', topics?: ContactTopic[]): StoredContact {
    const now = this.now();
    const after = applyPatch(before, patch, mode, Math.floor(now / 1000));
    this.store.replace(after, now, now + this.opts.searchDelayMs);
    for (const topic of topics ?? topicsFor(before, after)) this.emit(topic, this.render(after));
    return after;
  }

  /** Adds a new contact (search sees it after the lag); notifies `contact.*.created` when asked. */
  create(contact: StoredContact, notify: boolean): void {
    const now = this.now();
    this.store.insert(contact, now + this.opts.searchDelayMs);
    if (notify) for (const topic of topicsFor(null, contact)) this.emit(topic, this.render(contact));
  }

  private emit(topic: ContactTopic, item: Record<string, unknown>): void {
    this.webhooks.send(topic, item, Math.floor(this.now() / 1000));
  }
}
