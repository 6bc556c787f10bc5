// Deterministic people for both sandboxes: one seed gives the same Salesforce Leads/Contacts and
// Intercom contacts everywhere. A generator, so a million people never sit in memory here; each
// person carries `meta` saying what a correct sync should find (in common, differing, ambiguous).

import type { SObjectName, SObjectRecord } from './salesforce/wire.ts';
import type { StoredContact, ContactRole } from './intercom/wire.ts';
import {
  alternative,
  DAY_MS,
  IC_TO_SF,
  makeIcId,
  makeProfile,
  SF_TO_IC,
  toIcContact,
  toSfRecord,
  type Profile,
  type ProfileKey,
} from './generator-values.ts';
import { writeNdjson } from './ndjson.ts';
import { chance, intBetween, mixSeed, mulberry32, pick, type Rng } from './prng.ts';
import { makeSfId } from './sf-schema.ts';

export { MAPPED_ATTRIBUTES, type ProfileKey } from './generator-values.ts';
export { parseNdjson, parseNdjsonLine, readNdjson, writeNdjson, NdjsonError } from './ndjson.ts';
export {
  SF_FIELDS,
  LEAD_SOURCES,
  LEAD_STATUSES,
  PLANS,
  findField,
  formatSfDate,
  formatSfDateTime,
  makeSfId,
  objectOfId,
  type SfFieldSpec,
  type SfFieldKind,
} from './sf-schema.ts';
export { mulberry32, mixSeed, type Rng } from './prng.ts';

export interface GeneratorOptions {
  seed: number;
  /** How many people to yield (each with a Salesforce side, an Intercom side, or both). */
  people: number;
  /** Share of Salesforce people that are Leads (the rest are Contacts). Default 0.5. */
  leadShare?: number;
  /** Share of Salesforce people also in Intercom. Default 0.8. */
  inCommonShare?: number;
  /** Share of in-common pairs whose mapped attributes differ. Default 0.2. */
  differingShare?: number;
  /** Share of in-common people with a second Intercom contact of the same email. Default 0.002. */
  duplicateShare?: number;
  /** Share of people only in Intercom. Default 0.05. */
  icOnlyShare?: number;
  /** Share of Salesforce people that are both a Lead and a Contact with one email. Default 0.01. */
  bothShare?: number;
  /** Share of in-common people with odd data (see OddKind). Default 0.01; 0 turns it off. */
  oddShare?: number;
  /** Creation time of person 0 (ms). Default 2024-01-01T00:00:00Z. */
  startMs?: number;
}

export type ResolvedGeneratorOptions = Required<GeneratorOptions>;

/** Data that trips naive code: email case, spaces, NFD vs NFC, values too long or not allowed
 * for Salesforce (Intercom side, so they fail on write), and '' where the other side has null. */
export type OddKind = 'email-case' | 'email-spaces' | 'email-unicode' | 'long-phone' | 'bad-plan' | 'empty-vs-null';
export const ODD_KINDS: readonly OddKind[] = ['email-case', 'email-spaces', 'email-unicode', 'long-phone', 'bad-plan', 'empty-vs-null'];

export interface PersonMeta {
  kind: 'in-common' | 'sf-only' | 'ic-only';
  /** Both a Lead and a Contact carry this person's email. */
  both: boolean;
  /** Profile keys of mapped attributes whose values differ between the sides. */
  differing: ProfileKey[];
  /** Intercom holds two contacts with this email: matching is ambiguous. */
  duplicate: boolean;
  odd: OddKind | null;
}

export interface GeneratedPerson {
  index: number;
  lead?: SObjectRecord;
  contact?: SObjectRecord;
  intercom?: StoredContact[];
  meta: PersonMeta;
}

const DEFAULTS: Omit<ResolvedGeneratorOptions, 'seed' | 'people'> = {
  leadShare: 0.5,
  inCommonShare: 0.8,
  differingShare: 0.2,
  duplicateShare: 0.002,
  icOnlyShare: 0.05,
  bothShare: 0.01,
  oddShare: 0.01,
  startMs: Date.UTC(2024, 0, 1),
};

/** Every person a Contact in both systems with the same values, nothing odd or duplicated: data
 * on which whatever a sync writes is the test's own change. Spread into options with a seed and a size. */
export const PLAIN_IN_COMMON = {
  leadShare: 0,
  inCommonShare: 1,
  icOnlyShare: 0,
  differingShare: 0,
  duplicateShare: 0,
  bothShare: 0,
  oddShare: 0,
} as const satisfies Partial<GeneratorOptions>;

const SHARE_KEYS = ['leadShare', 'inCommonShare', 'differingShare', 'duplicateShare', 'icOnlyShare', 'bothShare', 'oddShare'] as const;

export function resolveGeneratorOptions(opts: GeneratorOptions): ResolvedGeneratorOptions {
  const out = { ...DEFAULTS, ...stripUndefined(opts) } as ResolvedGeneratorOptions;
  if (!Number.isInteger(out.seed)) throw new Error(`generator: seed must be an integer, got ${String(out.seed)}`);
  if (!Number.isInteger(out.people) || out.people < 0) {
    throw new Error(`generator: people must be a non-negative integer, got ${String(out.people)}`);
  }
  for (const key of SHARE_KEYS) {
    const v = out[key];
    if (typeof v !== 'number' || !(v >= 0 && v <= 1)) throw new Error(`generator: ${key} must be a number in [0, 1], got ${String(v)}`);
  }
  if (!Number.isFinite(out.startMs)) throw new Error(`generator: startMs must be a finite number, got ${String(out.startMs)}`);
  return out;
}

function stripUndefined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}

/** Seconds between consecutive people's creation; with minute-rounded modstamps many records
 * share one SystemModstamp, which an incremental cursor must survive. */
const SPACING_MS = 37_000;
const WEEK_MS = 7 * DAY_MS;

interface Counters {
  lead: number;
  contact: number;
  ic: number;
}

export function* generatePeople(options: GeneratorOptions): Generator<GeneratedPerson> {
  const opts = resolveGeneratorOptions(options);
  const counters: Counters = { lead: 0, contact: 0, ic: 0 };
  for (let index = 0; index < opts.people; index++) {
    yield makePerson(opts, index, counters);
  }
}

function modstampFor(rng: Rng, opts: ResolvedGeneratorOptions, created: number): number {
  // A weekly mass update stamps 2% of records with one identical instant.
  if (chance(rng, 0.02)) return opts.startMs + Math.ceil((created - opts.startMs + 1) / WEEK_MS) * WEEK_MS;
  return Math.ceil((created + rng() * 30 * DAY_MS) / 60_000) * 60_000;
}

function makePerson(opts: ResolvedGeneratorOptions, index: number, counters: Counters): GeneratedPerson {
  const rng = mulberry32(mixSeed(opts.seed, index));
  const created = opts.startMs + index * SPACING_MS;
  const icUpdated = Math.floor((created + rng() * 40 * DAY_MS) / 1000) * 1000;
  const meta: PersonMeta = { kind: 'sf-only', both: false, differing: [], duplicate: false, odd: null };

  if (chance(rng, opts.icOnlyShare)) {
    meta.kind = 'ic-only';
    const role: ContactRole = chance(rng, 0.5) ? 'user' : 'lead';
    const p = makeProfile(rng, index, created, false);
    return { index, intercom: [toIcContact(makeIcId(created, counters.ic++), role, p, created, icUpdated)], meta };
  }

  const inCommon = chance(rng, opts.inCommonShare);
  meta.both = chance(rng, opts.bothShare);
  const hasContact = meta.both || !chance(rng, opts.leadShare);
  const hasLead = meta.both || !hasContact;
  const primary: SObjectName = hasContact ? 'Contact' : 'Lead';
  meta.odd = inCommon && chance(rng, opts.oddShare) ? pick(rng, ODD_KINDS) : null;

  const base = makeProfile(rng, index, created, meta.odd === 'email-unicode');
  const sf: Profile = { ...base };
  const ic: Profile = { ...base };
  if (inCommon) {
    meta.kind = 'in-common';
    if (chance(rng, opts.differingShare)) meta.differing = diverge(rng, primary, base, sf, ic);
    applyOdd(rng, meta, sf, ic);
  }

  const stamps = { created, modified: modstampFor(rng, opts, created) };
  const person: GeneratedPerson = { index, meta };
  if (hasContact) person.contact = toSfRecord('Contact', makeSfId('Contact', ++counters.contact), sf, stamps);
  if (hasLead) {
    // A person who is also a Contact was a Lead first: same email, its own other values.
    const leadProfile = meta.both ? { ...makeProfile(rng, index, created, false), first: sf.first, last: sf.last, email: sf.email } : sf;
    person.lead = toSfRecord('Lead', makeSfId('Lead', ++counters.lead), leadProfile, stamps);
  }
  if (inCommon) person.intercom = intercomSide(rng, opts, meta, hasContact ? 'user' : 'lead', ic, created, icUpdated, counters);
  return person;
}

/** Makes 1-3 mapped attributes differ, each on the side that does not own it. */
function diverge(rng: Rng, primary: SObjectName, base: Profile, sf: Profile, ic: Profile): ProfileKey[] {
  const candidates = [...SF_TO_IC[primary], ...IC_TO_SF];
  const chosen = new Set<ProfileKey>();
  const n = intBetween(rng, 1, 3);
  while (chosen.size < n) chosen.add(pick(rng, candidates));
  for (const key of chosen) {
    const target = SF_TO_IC[primary].includes(key) ? ic : sf;
    (target as unknown as Record<string, unknown>)[key] = alternative(rng, base, key);
  }
  return [...chosen];
}

function applyOdd(rng: Rng, meta: PersonMeta, sf: Profile, ic: Profile): void {
  const addDiffering = (key: ProfileKey) => {
    if (!meta.differing.includes(key)) meta.differing.push(key);
  };
  switch (meta.odd) {
    case 'email-case':
      sf.email = sf.email.replace(/(^|[.@])(\p{L})/gu, (_m, sep: string, ch: string) => sep + ch.toUpperCase());
      break;
    case 'email-spaces':
      ic.email = chance(rng, 0.5) ? ` ${ic.email}` : `${ic.email}  `;
      break;
    case 'email-unicode':
      ic.email = ic.email.normalize('NFD');
      break;
    case 'long-phone':
      ic.phone = `+1 555 0100 ext. ${intBetween(rng, 1000, 9999)} (front desk, weekdays 9-5)`;
      addDiffering('phone');
      break;
    case 'bad-plan':
      ic.plan = 'Premium';
      addDiffering('plan');
      break;
    case 'empty-vs-null':
      sf.phone = null;
      ic.phone = '';
      sf.city = null;
      ic.city = '';
      meta.differing = meta.differing.filter((k) => k !== 'phone' && k !== 'city');
      break;
    default:
      break;
  }
}

function intercomSide(
  rng: Rng,
  opts: ResolvedGeneratorOptions,
  meta: PersonMeta,
  role: ContactRole,
  p: Profile,
  created: number,
  updated: number,
  counters: Counters,
): StoredContact[] {
  const out = [toIcContact(makeIcId(created, counters.ic++), role, p, created, updated)];
  if (chance(rng, opts.duplicateShare)) {
    meta.duplicate = true;
    // Same address, different case: still one normalised email, so two candidates match.
    const twin = { ...p, email: p.email.toUpperCase(), phone: null };
    out.push(toIcContact(makeIcId(created, counters.ic++), role, twin, created, updated));
  }
  return out;
}

/** Writes generated people to `path`, one person a line ({index, lead?, contact?, intercom?,
 * meta}): the file both sandboxes can seed from, so their data stays consistent. */
export function dumpPeople(path: string, opts: GeneratorOptions): Promise<number> {
  return writeNdjson(path, generatePeople(opts));
}
