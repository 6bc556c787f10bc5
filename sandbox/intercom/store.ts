// In-memory contact state: creation order for cursor paging, a unique email index, and the
// search index lag (a changed contact stays visible to search in its previous form, a new one
// not at all, until `searchDelayMs` has passed).
import { emailKey } from './contact-patch.ts';
import { SandboxConflictError, SandboxInputError, SandboxNotFoundError } from './errors.ts';
import type { ContactCounts } from './types.ts';
import type { StoredContact } from './wire.ts';

interface Entry {
  seq: number;
  contact: StoredContact;
  /** What search sees until `visibleAt`; null for a contact search does not know yet. */
  indexed: StoredContact | null;
  visibleAt: number;
}

const HEX24 = /^[0-9a-f]{24}$/;

export class ContactStore {
  private readonly byId = new Map<string, Entry>();
  private readonly order: Entry[] = [];
  /** Several contacts may share an email (seeded duplicates, leads); a PUT may not create one. */
  private readonly byEmail = new Map<string, Set<string>>();
  private readonly byExternalId = new Map<string, string>();
  private nextSeq = 1;
  private idCounter: number;

  constructor(seed: number) {
    this.idCounter = (seed >>> 0) * 0x10000;
  }

  /** A fresh 24-hex id shaped like the service's (seconds, then a counter). */
  newId(nowMs: number): string {
    const secs = Math.floor(nowMs / 1000)
      .toString(16)
      .padStart(8, '0')
      .slice(-8);
    this.idCounter += 1;
    return secs + this.idCounter.toString(16).padStart(16, '0').slice(-16);
  }

  get size(): number {
    return this.order.length;
  }

  counts(): ContactCounts {
    let user = 0;
    for (const e of this.order) if (e.contact.role === 'user') user += 1;
    return { total: this.order.length, user, lead: this.order.length - user };
  }

  get(id: string): StoredContact | undefined {
    return this.byId.get(id)?.contact;
  }

  all(): StoredContact[] {
    return this.order.map((e) => e.contact);
  }

  /** A contact other than `exceptId` holding this email (compared trimmed, lower-case), if any. */
  idForEmail(email: string | null | undefined, exceptId?: string): string | undefined {
    const key = emailKey(email);
    const ids = key === null ? undefined : this.byEmail.get(key);
    if (!ids) return undefined;
    for (const id of ids) if (id !== exceptId) return id;
    return undefined;
  }

  idForExternalId(externalId: string | null | undefined): string | undefined {
    return typeof externalId === 'string' && externalId !== '' ? this.byExternalId.get(externalId) : undefined;
  }

  /** Adds a contact; `visibleAt` is when search starts to see it. */
  insert(contact: StoredContact, visibleAt: number): void {
    assertContact(contact);
    if (this.byId.has(contact.id)) throw new SandboxConflictError(`contact ${contact.id} already exists`);
    const entry: Entry = { seq: this.nextSeq++, contact, indexed: null, visibleAt };
    this.byId.set(contact.id, entry);
    this.order.push(entry);
    this.indexEmail(contact.email, contact.id);
    if (contact.external_id) this.byExternalId.set(contact.external_id, contact.id);
  }

  /** Replaces a contact's state; search keeps the previous version until `visibleAt`. */
  replace(next: StoredContact, nowMs: number, visibleAt: number): void {
    const entry = this.byId.get(next.id);
    if (!entry) throw new SandboxNotFoundError(`contact ${next.id} does not exist`);
    const oldKey = emailKey(entry.contact.email);
    const newKey = emailKey(next.email);
    if (oldKey !== newKey) {
      if (oldKey) this.byEmail.get(oldKey)?.delete(next.id);
      this.indexEmail(next.email, next.id);
    }
    if (entry.contact.external_id !== next.external_id) {
      const old = entry.contact.external_id;
      if (old && this.byExternalId.get(old) === next.id) this.byExternalId.delete(old);
      if (next.external_id) this.byExternalId.set(next.external_id, next.id);
    }
    entry.indexed = nowMs >= entry.visibleAt ? entry.contact : entry.indexed;
    entry.contact = next;
    entry.visibleAt = visibleAt;
  }

  /** Removes a contact (deleted, or merged away): list, search and look-ups no longer find it. */
  remove(id: string): StoredContact {
    const entry = this.byId.get(id);
    if (!entry) throw new SandboxNotFoundError(`contact ${id} does not exist`);
    this.byId.delete(id);
    const key = emailKey(entry.contact.email);
    if (key) this.byEmail.get(key)?.delete(id);
    const ext = entry.contact.external_id;
    if (ext && this.byExternalId.get(ext) === id) this.byExternalId.delete(ext);
    const at = this.firstIndexAfter(entry.seq - 1);
    if (this.order[at] === entry) this.order.splice(at, 1);
    return entry.contact;
  }

  private indexEmail(email: string | null | undefined, id: string): void {
    const key = emailKey(email);
    if (key === null) return;
    const ids = this.byEmail.get(key) ?? new Set<string>();
    ids.add(id);
    this.byEmail.set(key, ids);
  }

  clear(): void {
    this.byId.clear();
    this.byEmail.clear();
    this.byExternalId.clear();
    this.order.length = 0;
  }

  /** Contacts after the cursor position (a sequence number), in creation order. */
  pageAfter(afterSeq: number, limit: number): { contacts: StoredContact[]; lastSeq: number; more: boolean } {
    const start = this.firstIndexAfter(afterSeq);
    const slice = this.order.slice(start, start + limit);
    return {
      contacts: slice.map((e) => e.contact),
      lastSeq: slice.length ? slice[slice.length - 1].seq : afterSeq,
      more: start + limit < this.order.length,
    };
  }

  /** Search view: scan from the cursor, collecting up to `limit` matches as search sees them. */
  scan(
    afterSeq: number,
    limit: number,
    nowMs: number,
    match: (c: StoredContact) => boolean,
  ): { contacts: StoredContact[]; lastSeq: number; more: boolean } {
    const contacts: StoredContact[] = [];
    let lastSeq = afterSeq;
    for (let i = this.firstIndexAfter(afterSeq); i < this.order.length; i += 1) {
      const seen = searchView(this.order[i], nowMs);
      if (!seen || !match(seen)) continue;
      if (contacts.length === limit) return { contacts, lastSeq, more: true };
      contacts.push(seen);
      lastSeq = this.order[i].seq;
    }
    return { contacts, lastSeq, more: false };
  }

  /** Every match as search sees it, in creation order. */
  matches(nowMs: number, match: (c: StoredContact) => boolean): StoredContact[] {
    const out: StoredContact[] = [];
    for (const e of this.order) {
      const seen = searchView(e, nowMs);
      if (seen && match(seen)) out.push(seen);
    }
    return out;
  }

  countMatches(nowMs: number, match: (c: StoredContact) => boolean): number {
    let n = 0;
    for (const e of this.order) {
      const seen = searchView(e, nowMs);
      if (seen && match(seen)) n += 1;
    }
    return n;
  }

  /** Position of a contact in creation order, for cursors. */
  seqOf(id: string): number | undefined {
    return this.byId.get(id)?.seq;
  }

  private firstIndexAfter(seq: number): number {
    let lo = 0;
    let hi = this.order.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.order[mid].seq <= seq) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }
}

function searchView(e: Entry, nowMs: number): StoredContact | null {
  return nowMs >= e.visibleAt ? e.contact : e.indexed;
}

/** Rejects seed records that would break the sandbox's invariants, naming the problem. */
export function assertContact(c: StoredContact): void {
  const where = `contact ${JSON.stringify(c?.id)}`;
  if (typeof c !== 'object' || c === null) throw new SandboxInputError('a contact must be an object');
  if (typeof c.id !== 'string' || !HEX24.test(c.id)) throw new SandboxInputError(`${where}: id must be 24 lower-case hex characters`);
  if (c.role !== 'user' && c.role !== 'lead')
    throw new SandboxInputError(`${where}: role must be user or lead, got ${JSON.stringify(c.role)}`);
  if (!Number.isInteger(c.created_at) || !Number.isInteger(c.updated_at)) {
    throw new SandboxInputError(`${where}: created_at and updated_at must be integer unix seconds`);
  }
  if (typeof c.custom_attributes !== 'object' || c.custom_attributes === null || Array.isArray(c.custom_attributes)) {
    throw new SandboxInputError(`${where}: custom_attributes must be an object`);
  }
  for (const f of ['email', 'phone', 'name', 'external_id'] as const) {
    if (c[f] != null && typeof c[f] !== 'string') throw new SandboxInputError(`${where}: ${f} must be a string or null`);
  }
  if (c.location !== undefined && (typeof c.location !== 'object' || c.location === null)) {
    throw new SandboxInputError(`${where}: location must be an object {country, region, city}`);
  }
  if (c.tag_ids !== undefined && (!Array.isArray(c.tag_ids) || c.tag_ids.some((t) => typeof t !== 'string'))) {
    throw new SandboxInputError(`${where}: tag_ids must be an array of strings`);
  }
}
