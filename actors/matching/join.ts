// The join of Salesforce records with the identity index. Pure: the caller loads what the join
// looks at (links, lookups, entries) and writes what it decides.
//
// Rules, per record of object O:
// - A stored link wins over the key, as long as both ends still agree: the entry exists, the
//   contact's side names this record (or nothing) for O, and the role fits O.
// - Otherwise the key (normalised email by default). Intercom role `lead` pairs with Leads, role
//   `user` with Contacts, and with Leads only while no Contact is linked to that user: when a
//   person is both, the Contact wins and the Lead is skipped.
// - Several eligible contacts for one record, or several records for one contact (in this batch,
//   or a contact already linked to another record of O), is ambiguous: nothing is paired.
// - A converted Lead (IsConverted) is skipped before anything else: Salesforce refuses every
//   update of it (CANNOT_UPDATE_CONVERTED_LEAD), and its person lives on in the Contact it became.
//   A link it held is dropped, so the contact is free for that Contact.
import type { SfObject, SfRecord } from '../../connectors/index.ts';
import { type IndexEntry, type MatchKey, entryKey } from './entry.ts';

/** The value of `<ws>.ic.<icId>`. */
export interface IcLinks {
  Lead?: string;
  Contact?: string;
}

export interface JoinRecord {
  sf: SfRecord;
  key: string | null;
}

export interface JoinInput {
  object: SfObject;
  records: readonly JoinRecord[];
  key: MatchKey;
  /** `<ws>.sf.<Id>` links that exist: Salesforce Id -> Intercom id. */
  sfLinks: ReadonlyMap<string, string>;
  /** Lookup contents: key value -> Intercom ids listed under it. */
  byKey: ReadonlyMap<string, readonly string[]>;
  /** Loaded entries; an id without one is a contact that is gone. */
  entries: ReadonlyMap<string, IndexEntry>;
  /** Loaded contact-side links; an id without one has none. */
  icLinks: ReadonlyMap<string, IcLinks>;
}

export interface Candidates {
  salesforce: string[];
  intercom: string[];
}

type Decision =
  | { kind: 'matched'; sf: SfRecord; entry: IndexEntry; via: 'link' | 'key' }
  | { kind: 'unmatched'; sf: SfRecord }
  | { kind: 'ambiguous'; sf: SfRecord; side: 'intercom' | 'salesforce'; key: string | null; candidates: Candidates }
  | { kind: 'skipped'; sf: SfRecord; reason: 'contact_wins' | 'converted' };

export type Outcome = Decision & { object: SfObject };

export interface JoinResult {
  /** One per record, in order. */
  outcomes: Outcome[];
  /** Records whose stored link no longer holds: drop it. */
  staleLinks: string[];
  /** Records of O that other records' matches collided with through a stored link: if one of
   * them no longer exists in Salesforce, its link is stale and the join can be run again. */
  linkedElsewhere: string[];
}

/** Which contacts may pair with a record of `object`, given their links. */
export function eligible(object: SfObject, e: IndexEntry, links: IcLinks | undefined): 'yes' | 'no' | 'taken_by_contact' {
  if (object === 'Contact') return e.role === 'user' ? 'yes' : 'no';
  if (e.role === 'lead') return 'yes';
  return links?.Contact ? 'taken_by_contact' : 'yes';
}

type Tentative = Decision | { kind: 'pending'; sf: SfRecord; entry: IndexEntry; key: string };

function byLink(r: JoinRecord, input: JoinInput, stale: string[]): Tentative | null {
  const target = input.sfLinks.get(r.sf.Id);
  if (target === undefined) return null;
  const entry = input.entries.get(target);
  const links = input.icLinks.get(target);
  const claimed = links?.[input.object];
  const fit = entry ? eligible(input.object, entry, links) : 'no';
  if (!entry || (claimed !== undefined && claimed !== r.sf.Id) || fit === 'no') {
    stale.push(r.sf.Id);
    return null;
  }
  if (fit === 'taken_by_contact') {
    stale.push(r.sf.Id);
    return { kind: 'skipped', sf: r.sf, reason: 'contact_wins' };
  }
  return { kind: 'matched', sf: r.sf, entry, via: 'link' };
}

function byKey(r: JoinRecord, input: JoinInput, elsewhere: string[], released: ReadonlySet<string>): Tentative {
  const key = r.key;
  if (key === null) return { kind: 'unmatched', sf: r.sf };
  const found: IndexEntry[] = [];
  let taken = 0;
  for (const id of new Set(input.byKey.get(key) ?? [])) {
    const e = input.entries.get(id);
    // A lookup may trail its entries (a crash between writes): the entry has the last word.
    if (!e || entryKey(e, input.key) !== key) continue;
    const fit = eligible(input.object, e, input.icLinks.get(id));
    if (fit === 'yes') found.push(e);
    else if (fit === 'taken_by_contact') taken += 1;
  }
  if (found.length === 0) return taken > 0 ? { kind: 'skipped', sf: r.sf, reason: 'contact_wins' } : { kind: 'unmatched', sf: r.sf };
  if (found.length > 1) {
    return {
      kind: 'ambiguous',
      sf: r.sf,
      side: 'intercom',
      key,
      candidates: { salesforce: [r.sf.Id], intercom: found.map((e) => e.id).sort() },
    };
  }
  const entry = found[0];
  const other = input.icLinks.get(entry.id)?.[input.object];
  if (other !== undefined && other !== r.sf.Id && !released.has(other)) {
    elsewhere.push(other);
    return {
      kind: 'ambiguous',
      sf: r.sf,
      side: 'salesforce',
      key,
      candidates: { salesforce: [other, r.sf.Id].sort(), intercom: [entry.id] },
    };
  }
  return { kind: 'pending', sf: r.sf, entry, key };
}

/** Two records of this batch found one contact by key: neither may have it. */
function settle(tentative: Tentative[]): Decision[] {
  const claims = new Map<string, string[]>();
  for (const t of tentative) {
    if (t.kind === 'pending' || (t.kind === 'matched' && t.via === 'link')) {
      const list = claims.get(t.entry.id) ?? [];
      list.push(t.sf.Id);
      claims.set(t.entry.id, list);
    }
  }
  return tentative.map((t): Decision => {
    if (t.kind !== 'pending') return t;
    const rivals = claims.get(t.entry.id) ?? [];
    if (rivals.length === 1) return { kind: 'matched', sf: t.sf, entry: t.entry, via: 'key' };
    return {
      kind: 'ambiguous',
      sf: t.sf,
      side: 'salesforce',
      key: t.key,
      candidates: { salesforce: [...rivals].sort(), intercom: [t.entry.id] },
    };
  });
}

/** A Lead that has been converted: readable, never updatable again. */
export function isConvertedLead(object: SfObject, sf: SfRecord): boolean {
  return object === 'Lead' && sf.IsConverted === true;
}

function converted(r: JoinRecord, input: JoinInput, stale: string[]): Tentative | null {
  if (!isConvertedLead(input.object, r.sf)) return null;
  if (input.sfLinks.has(r.sf.Id)) stale.push(r.sf.Id);
  return { kind: 'skipped', sf: r.sf, reason: 'converted' };
}

export function joinRecords(input: JoinInput): JoinResult {
  const staleLinks: string[] = [];
  const linkedElsewhere: string[] = [];
  // A converted Lead of this batch gives up its contact: another record may take it now.
  const released = new Set(input.records.filter((r) => isConvertedLead(input.object, r.sf)).map((r) => r.sf.Id));
  const tentative = input.records.map(
    (r) => converted(r, input, staleLinks) ?? byLink(r, input, staleLinks) ?? byKey(r, input, linkedElsewhere, released),
  );
  const outcomes = settle(tentative).map((d): Outcome => ({ ...d, object: input.object }));
  return { outcomes, staleLinks, linkedElsewhere: [...new Set(linkedElsewhere)] };
}

export interface Tally {
  matched: Extract<Outcome, { kind: 'matched' }>[];
  /** Ambiguous records to report as sync errors (none under the 'skip' policy). */
  ambiguous: Extract<Outcome, { kind: 'ambiguous' }>[];
  unmatched: number;
  skipped: number;
}

/** Counts for MapPairs; under duplicatePolicy 'skip' an ambiguous record is skipped silently. */
export function tally(outcomes: readonly Outcome[], duplicatePolicy: 'error' | 'skip'): Tally {
  const out: Tally = { matched: [], ambiguous: [], unmatched: 0, skipped: 0 };
  for (const o of outcomes) {
    if (o.kind === 'matched') out.matched.push(o);
    else if (o.kind === 'unmatched') out.unmatched += 1;
    else if (o.kind === 'skipped') out.skipped += 1;
    else if (duplicatePolicy === 'skip') out.skipped += 1;
    else out.ambiguous.push(o);
  }
  return out;
}

/**
 * Counts for a batch of Intercom contacts: only outcomes that concern them count. A contact is
 * matched when paired, else ambiguous when a record found several candidates including it, else
 * unmatched. Records found along the way that pair with other contacts are left out.
 */
export function tallyForContacts(icIds: readonly string[], outcomes: readonly Outcome[], duplicatePolicy: 'error' | 'skip'): Tally {
  const ids = new Set(icIds);
  const out: Tally = { matched: [], ambiguous: [], unmatched: 0, skipped: 0 };
  const paired = new Set<string>();
  const contested = new Set<string>();
  for (const o of outcomes) {
    if (o.kind === 'matched' && ids.has(o.entry.id)) {
      out.matched.push(o);
      paired.add(o.entry.id);
    }
  }
  for (const o of outcomes) {
    if (o.kind !== 'ambiguous') continue;
    const mine = o.candidates.intercom.filter((id) => ids.has(id) && !paired.has(id));
    if (mine.length === 0) continue;
    for (const id of mine) contested.add(id);
    if (duplicatePolicy === 'error') out.ambiguous.push(o);
  }
  for (const id of ids) {
    if (paired.has(id)) continue;
    if (!contested.has(id)) out.unmatched += 1;
    else if (duplicatePolicy === 'skip') out.skipped += 1;
  }
  return out;
}
