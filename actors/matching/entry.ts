// What the identity index holds per Intercom contact, and the keys records and contacts are
// matched on. Pure.
import type { IcContact, IcRole, SfRecord } from '../../connectors/index.ts';
import { IndexEntrySchema, type Mapping, kvValue } from '../../protocol/index.ts';
import type { MatchKey } from '../domain/index.ts';
import { readIcAttribute } from '../mapping/index.ts';
import { normaliseEmail, normaliseKeyValue } from './normalise.ts';

/** A contact as the connector reads it or a webhook/poll item carries it. */
export interface ContactInput {
  id: string;
  role: IcRole;
  email: string | null;
  updated_at: number;
  custom_attributes: Record<string, unknown>;
  [field: string]: unknown;
}

/** One Intercom contact in the index. `contact` is what mapping diffs against, so it keeps every
 * scalar field and the custom attributes, and drops only nested objects (tags, location, ...). */
export interface IndexEntry {
  id: string;
  role: IcRole;
  /** Normalised. */
  email: string | null;
  /** The attribute `matchKey` was read from; null when matching is by email. */
  keyAttr: string | null;
  /** Normalised value of `keyAttr`. */
  matchKey: string | null;
  /** Intercom's updated_at (unix seconds). */
  updatedAt: number;
  /** When this entry was written (ms): a refresh keeps entries written after the run began. */
  indexedAt: number;
  contact: IcContact;
}

/** The contact without nested objects; custom attributes are kept whole. */
export function slimContact(c: ContactInput): IcContact {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(c)) {
    if (k === 'custom_attributes') out[k] = { ...(v as Record<string, unknown> | undefined) };
    else if (v === null || typeof v !== 'object') out[k] = v;
  }
  if (!out.custom_attributes) out.custom_attributes = {};
  if (out.email === undefined) out.email = null;
  return out as IcContact;
}

export function entryFor(c: ContactInput, key: MatchKey, nowMs: number): IndexEntry {
  const attribute = key.kind === 'attribute' ? key.icAttribute : null;
  return {
    id: c.id,
    role: c.role,
    email: normaliseEmail(c.email),
    keyAttr: attribute,
    matchKey: attribute ? normaliseKeyValue(readIcAttribute(c as IcContact, attribute)) : null,
    updatedAt: c.updated_at,
    indexedAt: nowMs,
    contact: slimContact(c),
  };
}

/** The value an entry is matched on under `key`; null when it has none (or was indexed for
 * another attribute, and needs a refresh). */
export function entryKey(e: IndexEntry, key: MatchKey): string | null {
  if (key.kind === 'email') return e.email;
  return e.keyAttr === key.icAttribute ? e.matchKey : null;
}

export function recordKey(r: SfRecord, key: MatchKey): string | null {
  return key.kind === 'email' ? normaliseEmail(typeof r.Email === 'string' ? r.Email : null) : normaliseKeyValue(r[key.sfField]);
}

function sameValue(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null || Array.isArray(a) !== Array.isArray(b)) return false;
  const ka = Object.keys(a as object);
  const kb = Object.keys(b as object);
  return (
    ka.length === kb.length &&
    ka.every((k) => Object.hasOwn(b as object, k) && sameValue((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]))
  );
}

/**
 * Nothing changed: the stored entry can stay. updated_at alone is not enough, since Intercom
 * counts it in whole seconds and two changes within one second share it.
 */
export function sameIndexed(a: IndexEntry, b: IndexEntry): boolean {
  return (
    a.updatedAt === b.updatedAt &&
    a.role === b.role &&
    a.email === b.email &&
    a.keyAttr === b.keyAttr &&
    a.matchKey === b.matchKey &&
    sameValue(a.contact, b.contact)
  );
}

/** A stored entry; one not of its schema is no entry (the contact is indexed again). The schema
 * checks the contact for what matching and mapping rely on; the rest is as Intercom gave it. */
export function asIndexEntry(v: unknown): IndexEntry | null {
  const e = kvValue(IndexEntrySchema, v);
  return e && { ...e, contact: e.contact as IcContact };
}

/** The attributes of a contact whose values differ between two versions of it, by their full
 * names (`phone`, `custom_attributes.plan`); updated_at is left out, it always moves. */
export function changedAttributes(before: IcContact, after: IcContact): Set<string> {
  const out = new Set<string>();
  for (const k of new Set([...Object.keys(before), ...Object.keys(after)])) {
    if (k === 'custom_attributes' || k === 'updated_at') continue;
    if (!sameValue(before[k] ?? null, after[k] ?? null)) out.add(k);
  }
  const ca = before.custom_attributes ?? {};
  const cb = after.custom_attributes ?? {};
  for (const k of new Set([...Object.keys(ca), ...Object.keys(cb)])) {
    if (!sameValue(ca[k] ?? null, cb[k] ?? null)) out.add(`custom_attributes.${k}`);
  }
  return out;
}

/**
 * Whether a change of an Intercom contact can matter to Salesforce: a new contact, a change of
 * whom it matches (role, email, match key), or of an attribute that syncs into Salesforce. A
 * change only to attributes Salesforce owns is, as a rule, the writer's own update coming back
 * (by webhook or poll); reading Salesforce for it would spend API calls to learn nothing.
 */
export function mattersToSalesforce(before: IndexEntry | null, after: IndexEntry, mappings: readonly Mapping[]): boolean {
  if (!before) return true;
  if (before.role !== after.role || before.email !== after.email || before.keyAttr !== after.keyAttr || before.matchKey !== after.matchKey)
    return true;
  const changed = changedAttributes(before.contact, after.contact);
  return mappings.some((m) => m.direction === 'intercom_to_salesforce' && changed.has(m.icAttribute));
}
