// Value building blocks for the generator: word lists, a person's profile, and how a profile
// becomes a Salesforce record or an Intercom contact. Pure functions of an Rng.

import type { SObjectName, SObjectRecord } from './salesforce/wire.ts';
import type { StoredContact, ContactRole } from './intercom/wire.ts';
import { chance, intBetween, pick, type Rng } from './prng.ts';
import { formatSfDate, formatSfDateTime, LEAD_SOURCES, LEAD_STATUSES, PLANS } from './sf-schema.ts';

const FIRST = [
  'Ada',
  'Alan',
  'Grace',
  'Linus',
  'Margaret',
  'Ken',
  'Barbara',
  'Dennis',
  'Frances',
  'John',
  'Mary',
  'Tim',
  'Radia',
  'Guido',
  'Hedy',
  'Edsger',
  'Katherine',
  'Donald',
  'Anita',
  'Niklaus',
];
// Every name here has a letter that NFD decomposes, so NFC and NFD spellings really differ.
const FIRST_UNICODE = ['Zoë', 'José', 'Björn', 'Renée', 'Chloé', 'Amélie', 'Çağrı', 'Dvořák'];
const LAST = [
  'Lovelace',
  'Turing',
  'Hopper',
  'Torvalds',
  'Hamilton',
  'Thompson',
  'Liskov',
  'Ritchie',
  'Allen',
  'McCarthy',
  'Shaw',
  'Berners-Lee',
  'Perlman',
  'Rossum',
  'Lamarr',
  'Dijkstra',
  'Johnson',
  'Knuth',
  'Borg',
  'Wirth',
  "O'Neil",
  'Nakamura',
];
const COMPANIES = [
  'Acme Corp',
  'Globex',
  'Initech',
  'Umbrella Labs',
  'Hooli',
  'Stark Industries',
  'Wayne Enterprises',
  'Soylent',
  'Tyrell',
  'Cyberdyne Systems',
  'Wonka Industries',
  'Vandelay Imports',
];
const CITIES = [
  'London',
  'Paris',
  'Berlin',
  'Dublin',
  'New York',
  'San Francisco',
  'Tokyo',
  'Sydney',
  'Toronto',
  'São Paulo',
  'Zürich',
  'Kraków',
];
const DEPARTMENTS = ['Engineering', 'Sales', 'Marketing', 'Finance', 'Support', 'Operations'];
const TITLES = [
  'CTO',
  'VP Engineering',
  'Developer',
  'Product Manager',
  'Account Executive',
  'Head of Growth',
  'Designer',
  'Data Scientist',
  'Office Manager',
];
const DOMAINS = ['example.com', 'example.org', 'example.net', 'mail.example.io'];

export const DAY_MS = 86_400_000;

/** Everything the two systems may hold about one person, before sides diverge. */
export interface Profile {
  first: string;
  last: string;
  email: string;
  phone: string | null;
  title: string | null;
  company: string;
  city: string | null;
  department: string | null;
  leadSource: string | null;
  plan: string | null;
  score: number | null;
  /** Midnight UTC, ms. */
  trialEnd: number | null;
  /** Whole seconds, ms. */
  lastLogin: number | null;
  optedOut: boolean;
  employees: number | null;
  status: string;
  revenue: number | null;
  birthdate: number | null;
  description: string | null;
}

export type ProfileKey = keyof Profile;

/** The mapped attributes of the default demo mapping, by the side that owns them. */
export const SF_TO_IC: Readonly<Record<SObjectName, readonly ProfileKey[]>> = {
  Lead: ['company', 'title', 'city', 'employees', 'leadSource'],
  Contact: ['title', 'city', 'department', 'leadSource'],
};
export const IC_TO_SF: readonly ProfileKey[] = ['phone', 'plan', 'score', 'trialEnd', 'lastLogin', 'optedOut'];

/** Where each mapped profile key lives on each side (the default demo mapping's pairs), so a
 * test can turn `meta.differing` into field names. */
export const MAPPED_ATTRIBUTES: Readonly<Partial<Record<ProfileKey, { Lead?: string; Contact?: string; intercom: string }>>> = {
  company: { Lead: 'Company', intercom: 'custom_attributes.company' },
  title: { Lead: 'Title', Contact: 'Title', intercom: 'custom_attributes.job_title' },
  city: { Lead: 'City', Contact: 'MailingCity', intercom: 'custom_attributes.city' },
  employees: { Lead: 'NumberOfEmployees', intercom: 'custom_attributes.employees' },
  department: { Contact: 'Department', intercom: 'custom_attributes.department' },
  leadSource: { Lead: 'LeadSource', Contact: 'LeadSource', intercom: 'custom_attributes.lead_source' },
  phone: { Lead: 'Phone', Contact: 'Phone', intercom: 'phone' },
  plan: { Lead: 'Plan__c', Contact: 'Plan__c', intercom: 'custom_attributes.plan' },
  score: { Lead: 'Score__c', Contact: 'Score__c', intercom: 'custom_attributes.score' },
  trialEnd: { Lead: 'Trial_End__c', Contact: 'Trial_End__c', intercom: 'custom_attributes.trial_end' },
  lastLogin: { Lead: 'Last_Login__c', Contact: 'Last_Login__c', intercom: 'custom_attributes.last_login' },
  optedOut: { Lead: 'HasOptedOutOfEmail', Contact: 'HasOptedOutOfEmail', intercom: 'custom_attributes.opted_out' },
};

function maybe<T>(rng: Rng, p: number, make: () => T): T | null {
  return chance(rng, p) ? make() : null;
}

function phone(rng: Rng): string {
  return `+1 555 ${intBetween(rng, 100, 999)} ${String(intBetween(rng, 0, 9999)).padStart(4, '0')}`;
}

export function makeProfile(rng: Rng, index: number, atMs: number, unicodeName: boolean): Profile {
  const first = unicodeName ? pick(rng, FIRST_UNICODE) : pick(rng, FIRST);
  const last = pick(rng, LAST);
  const local = `${first}.${last}.${index}`.toLowerCase().replace(/[^\p{L}\p{N}.]/gu, '');
  return {
    first,
    last,
    email: `${local}@${pick(rng, DOMAINS)}`.normalize('NFC'),
    phone: maybe(rng, 0.8, () => phone(rng)),
    title: maybe(rng, 0.85, () => pick(rng, TITLES)),
    company: pick(rng, COMPANIES),
    city: maybe(rng, 0.8, () => pick(rng, CITIES)),
    department: maybe(rng, 0.7, () => pick(rng, DEPARTMENTS)),
    leadSource: maybe(rng, 0.9, () => pick(rng, LEAD_SOURCES)),
    plan: maybe(rng, 0.75, () => pick(rng, PLANS)),
    score: maybe(rng, 0.7, () => Math.round(rng() * 100_000) / 100),
    trialEnd: maybe(rng, 0.5, () => Math.floor(atMs / DAY_MS) * DAY_MS + intBetween(rng, 1, 60) * DAY_MS),
    lastLogin: maybe(rng, 0.6, () => Math.floor((atMs + rng() * 90 * DAY_MS) / 1000) * 1000),
    optedOut: chance(rng, 0.1),
    employees: maybe(rng, 0.7, () => intBetween(rng, 1, 50_000)),
    status: pick(rng, LEAD_STATUSES),
    revenue: maybe(rng, 0.4, () => intBetween(rng, 10, 50_000) * 1000),
    birthdate: maybe(rng, 0.3, () => Date.UTC(intBetween(rng, 1950, 2000), intBetween(rng, 0, 11), intBetween(rng, 1, 28))),
    description: maybe(rng, 0.2, () => `Met at ${pick(rng, CITIES)} meetup.`),
  };
}

/** A value for `key` that differs from the one in `p` (sometimes null, to exercise clearing). */
export function alternative(rng: Rng, p: Profile, key: ProfileKey): Profile[ProfileKey] {
  if (key === 'optedOut') return !p.optedOut;
  if (chance(rng, 0.2) && key !== 'company' && p[key] !== null) return null;
  const differ = <T>(make: () => T): T => {
    for (;;) {
      const v = make();
      if (v !== p[key]) return v;
    }
  };
  switch (key) {
    case 'company':
      return differ(() => pick(rng, COMPANIES));
    case 'title':
      return differ(() => pick(rng, TITLES));
    case 'city':
      return differ(() => pick(rng, CITIES));
    case 'department':
      return differ(() => pick(rng, DEPARTMENTS));
    case 'leadSource':
      return differ(() => pick(rng, LEAD_SOURCES));
    case 'plan':
      return differ(() => pick(rng, PLANS));
    case 'employees':
      return differ(() => intBetween(rng, 1, 50_000));
    case 'phone':
      return differ(() => phone(rng));
    case 'score':
      return differ(() => Math.round(rng() * 100_000) / 100);
    case 'trialEnd':
      return (p.trialEnd ?? Date.UTC(2024, 5, 1)) + intBetween(rng, 1, 30) * DAY_MS;
    case 'lastLogin':
      return (p.lastLogin ?? Date.UTC(2024, 5, 1)) + intBetween(rng, 1, 500) * 3_600_000;
    default:
      throw new Error(`no alternative for profile key ${key}`);
  }
}

export interface SfStamps {
  created: number;
  modified: number;
}

export function toSfRecord(object: SObjectName, id: string, p: Profile, t: SfStamps): SObjectRecord {
  const modified = formatSfDateTime(t.modified);
  const common: SObjectRecord = {
    Id: id,
    FirstName: p.first,
    LastName: p.last,
    Email: p.email,
    Phone: p.phone,
    Title: p.title,
    Description: p.description,
    HasOptedOutOfEmail: p.optedOut,
    LeadSource: p.leadSource,
    Plan__c: p.plan,
    Score__c: p.score,
    Trial_End__c: p.trialEnd === null ? null : formatSfDate(p.trialEnd),
    Last_Login__c: p.lastLogin === null ? null : formatSfDateTime(p.lastLogin),
    Intercom_Id__c: null,
    CreatedDate: formatSfDateTime(t.created),
    LastModifiedDate: modified,
    SystemModstamp: modified,
  };
  if (object === 'Lead') {
    return {
      ...common,
      Company: p.company,
      City: p.city,
      Status: p.status,
      NumberOfEmployees: p.employees,
      AnnualRevenue: p.revenue,
      IsConverted: false,
      ConvertedDate: null,
      ConvertedContactId: null,
    };
  }
  return { ...common, Department: p.department, MailingCity: p.city, Birthdate: p.birthdate === null ? null : formatSfDate(p.birthdate) };
}

const secs = (ms: number | null): number | null => (ms === null ? null : Math.floor(ms / 1000));

export function toIcContact(id: string, role: ContactRole, p: Profile, createdMs: number, updatedMs: number): StoredContact {
  const custom: Record<string, unknown> = {
    job_title: p.title,
    city: p.city,
    lead_source: p.leadSource,
    plan: p.plan,
    score: p.score,
    trial_end: secs(p.trialEnd),
    last_login: secs(p.lastLogin),
    opted_out: p.optedOut,
  };
  if (role === 'lead') Object.assign(custom, { company: p.company, employees: p.employees });
  else custom.department = p.department;
  return {
    type: 'contact',
    id,
    external_id: null,
    role,
    email: p.email,
    phone: p.phone,
    name: `${p.first} ${p.last}`,
    owner_id: null,
    custom_attributes: custom,
    created_at: secs(createdMs) as number,
    updated_at: secs(updatedMs) as number,
    signed_up_at: role === 'user' ? secs(createdMs) : null,
    last_seen_at: secs(p.lastLogin),
    unsubscribed_from_emails: false,
  };
}

/** Intercom ids look like Mongo ObjectIds: 8 hex of a unix time, then 16 hex of a counter. */
export function makeIcId(createdMs: number, seq: number): string {
  return (
    Math.floor(createdMs / 1000)
      .toString(16)
      .padStart(8, '0') + seq.toString(16).padStart(16, '0')
  );
}
