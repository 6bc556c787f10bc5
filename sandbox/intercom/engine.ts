// The sandbox's behaviour without HTTP: each REST operation takes parsed input and returns a
// status and a body shaped as the 2.14 description says. The server adds transport concerns
// (auth, rate limit headers, faults); admin operations live here too so both faces share them.
import { randomUUID } from 'node:crypto';
import type { IcContact, IcDataAttribute } from '../../connectors/types.ts';
import { applyPatch, emailKey, validatePatch, type ValidPatch } from './contact-patch.ts';
import { renderDataAttribute } from './data-attributes.ts';
import { renderContact } from './render.ts';
import { compileQuery } from './search.ts';
import { SandboxConflictError, SandboxInputError, SandboxNotFoundError } from './errors.ts';
import { assertContact, ContactStore } from './store.ts';
import type { IntercomSandboxOptions, UserChange } from './types.ts';
import { topicsFor, type WebhookSender } from './webhooks.ts';

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

  private nowSec(): number {
    return Math.floor(this.opts.now() / 1000);
  }
  private render(c: IcContact): Record<string, unknown> {
    return renderContact(c, this.opts.workspaceId);
  }
  private get attributes(): IcDataAttribute[] {
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
    const { query, pagination } = body as { query: unknown; pagination?: { per_page?: unknown; starting_after?: unknown } | null };
    const compiled = compileQuery(query, { attributes: this.attributes, timeZone: this.opts.timeZone });
    if (!compiled.ok) return fail(400, compiled.problem.code, compiled.problem.message, compiled.problem.field);
    const size = pageSize(pagination?.per_page);
    if (!size.ok) return size.result;
    const after = pagination?.starting_after;
    const cursor = typeof after === 'string' && after !== '' ? decodeCursor(after) : { s: 0, p: 0 };
    if (!cursor) return fail(400, 'parameter_invalid', 'pagination.starting_after is not a valid cursor', 'starting_after');
    const now = this.opts.now();
    // The total is computed once, on the first page, and carried in the cursor.
    const total = cursor.t ?? this.store.countMatches(now, compiled.predicate);
    const page = this.store.scan(cursor.s, size.perPage, now, compiled.predicate);
    const next = page.more ? page.lastSeq : undefined;
    return { status: 200, body: this.listBody(page.contacts, total, size.perPage, cursor.p + 1, next, total) };
  }

  private listBody(
    contacts: IcContact[],
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
    const after = this.commit(before, checked.patch, this.opts.customAttributesMode);
    if (this.opts.webhook?.notifyApiUpdates) this.notify(before, after);
    return { status: 200, body: this.render(after) };
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
  private conflictFor(id: string, patch: ValidPatch): string | undefined {
    const current = this.store.get(id);
    // Only a change of email can conflict: seeded data may already hold duplicates.
    if (patch.email !== undefined && emailKey(patch.email) !== emailKey(current?.email)) {
      const holder = this.store.idForEmail(patch.email, id);
      if (holder) return holder;
    }
    const byExternal = this.store.idForExternalId(patch.external_id);
    return byExternal && byExternal !== id ? byExternal : undefined;
  }

  private commit(before: IcContact, patch: ValidPatch, mode: 'merge' | 'replace'): IcContact {
    const now = this.opts.now();
    const after = applyPatch(before, patch, mode, Math.floor(now / 1000));
    this.store.replace(after, now, now + this.opts.searchDelayMs);
    return after;
  }

  private notify(before: IcContact | null, after: IcContact): void {
    for (const topic of topicsFor(before, after)) this.webhooks.send(topic, this.render(after), this.nowSec());
  }

  // ---- admin operations (also exposed over /__admin/) ----

  /** Changes a contact as a person would in the product: bumps updated_at and fires webhooks. */
  userChange(id: string, change: UserChange): IcContact {
    const before = this.store.get(id);
    if (!before) throw new SandboxNotFoundError(`contact ${id} does not exist`);
    const checked = validatePatch(change, this.attributes);
    if (!checked.ok) throw new SandboxInputError(`invalid change: ${checked.problem.message}`);
    const conflict = this.conflictFor(id, checked.patch);
    if (conflict) throw new SandboxConflictError(`A contact matching those details already exists with id=${conflict}`);
    const after = this.commit(before, checked.patch, 'merge');
    this.notify(before, after);
    return after;
  }

  /** Creates contacts from partial records (missing fields get defaults, ids are generated). */
  createContacts(partials: Iterable<Partial<IcContact>>, notify = false): IcContact[] {
    const created: IcContact[] = [];
    for (const p of partials) {
      const now = this.opts.now();
      const secs = Math.floor(now / 1000);
      const contact: IcContact = {
        type: 'contact',
        external_id: null,
        role: 'user',
        email: null,
        phone: null,
        name: null,
        ...p,
        id: p.id ?? this.store.newId(now),
        custom_attributes: { ...(p.custom_attributes ?? {}) },
        created_at: p.created_at ?? secs,
        updated_at: p.updated_at ?? p.created_at ?? secs,
      };
      this.store.insert(contact, now + this.opts.searchDelayMs);
      created.push(contact);
      if (notify) this.notify(null, contact);
    }
    return created;
  }

  /** Adds complete contacts (a generator's output, a dump), visible to search at once. */
  seed(contacts: Iterable<IcContact>): number {
    let n = 0;
    for (const c of contacts) {
      this.store.insert({ ...c, custom_attributes: { ...c.custom_attributes } }, 0);
      n += 1;
    }
    return n;
  }

  dumpNdjson(): string {
    return (
      this.store
        .all()
        .map((c) => JSON.stringify(c))
        .join('\n') + (this.store.size ? '\n' : '')
    );
  }

  /** Replaces (or, with append, extends) the state from NDJSON; names the first bad line. */
  loadNdjson(text: string, append = false): number {
    const parsed: IcContact[] = [];
    text.split('\n').forEach((line, i) => {
      if (line.trim() === '') return;
      let c: IcContact;
      try {
        c = JSON.parse(line) as IcContact;
      } catch {
        throw new SandboxInputError(`NDJSON line ${i + 1} is not valid JSON`);
      }
      try {
        assertContact(c);
      } catch (err) {
        throw new SandboxInputError(`NDJSON line ${i + 1}: ${(err as Error).message}`);
      }
      parsed.push(c);
    });
    if (!append) this.store.clear();
    return this.seed(parsed);
  }
}
