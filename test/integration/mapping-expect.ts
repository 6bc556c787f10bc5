// An independent model of what a correct sync of the default mappings leaves behind, written
// from the data model (sandbox/sf-schema.ts, the generator) rather than from the mapping code, so
// the pipeline test compares the actors against a second opinion.
import type { IcContact, SfObject, SfRecord } from '../../connectors/types.ts';
import type { Mapping } from '../../protocol/index.ts';

export interface ModelPair {
  object: SfObject;
  sf: SfRecord;
  ic: IcContact;
}

const PLANS = ['Free', 'Starter', 'Pro', 'Enterprise'];
const PHONE_MAX = 40;

const email = (e: unknown) => (typeof e === 'string' ? e.normalize('NFC').trim().toLowerCase().normalize('NFC') || null : null);

/** Pairs by normalised email: role lead with Leads, role user with Contacts, else with Leads;
 * an email held by two Intercom contacts pairs with nothing. */
export function pairUp(leads: SfRecord[], contacts: SfRecord[], ic: IcContact[]): ModelPair[] {
  const group = <T>(items: T[], key: (t: T) => string | null) => {
    const m = new Map<string, T[]>();
    for (const it of items) {
      const k = key(it);
      if (k) m.set(k, [...(m.get(k) ?? []), it]);
    }
    return m;
  };
  const icBy = group(ic, (c) => email(c.email));
  const leadBy = group(leads, (r) => email(r.Email));
  const contactBy = group(contacts, (r) => email(r.Email));
  const out: ModelPair[] = [];
  for (const [key, cs] of icBy) {
    if (cs.length !== 1) continue;
    const c = cs[0];
    const contact = c.role === 'user' ? (contactBy.get(key) ?? []) : [];
    const lead = leadBy.get(key) ?? [];
    if (contact.length === 1) out.push({ object: 'Contact', sf: contact[0], ic: c });
    else if (contact.length === 0 && lead.length === 1) out.push({ object: 'Lead', sf: lead[0], ic: c });
  }
  return out;
}

export function icValue(c: IcContact, attr: string): unknown {
  return attr.startsWith('custom_attributes.') ? (c.custom_attributes?.[attr.slice(18)] ?? null) : (c[attr] ?? null);
}

type Kind = 'text' | 'int' | 'score' | 'bool' | 'date' | 'datetime';
const KIND: Record<string, Kind> = {
  Phone: 'text',
  Plan__c: 'text',
  Score__c: 'score',
  Trial_End__c: 'date',
  Last_Login__c: 'datetime',
  HasOptedOutOfEmail: 'bool',
  Company: 'text',
  Title: 'text',
  City: 'text',
  MailingCity: 'text',
  Department: 'text',
  LeadSource: 'text',
  NumberOfEmployees: 'int',
};

/** One value as both sides should agree on it: text trimmed ('' is none), dates as seconds. */
function comparable(kind: Kind, v: unknown): string | number | boolean | null {
  if (kind === 'bool') return v === true || v === 'true';
  if (v === null || v === undefined || v === '') return null;
  switch (kind) {
    case 'text':
      return String(v).trimEnd() || null;
    case 'int':
      return Math.round(Number(v));
    case 'score':
      return Math.round(Number(v) * 100) / 100;
    case 'date':
      return typeof v === 'number' ? new Date(v * 1000).toISOString().slice(0, 10) : String(v);
    case 'datetime':
      return typeof v === 'number' ? v : Math.floor(Date.parse(String(v).replace(/\+0000$/, 'Z')) / 1000);
  }
}

export interface Failure {
  sfId: string;
  field: string;
  cause: string;
}

/** Why an Intercom value cannot be written to a Salesforce field, if it cannot. */
function refusal(field: string, v: unknown): string | null {
  const t = comparable('text', v);
  if (field === 'Phone' && typeof t === 'string' && t.length > PHONE_MAX) return 'field_too_long';
  if (field === 'Plan__c' && t !== null && !PLANS.includes(String(t))) return 'invalid_picklist_value';
  return null;
}

export interface PairOutcome {
  pair: ModelPair;
  /** Expected comparable value per Salesforce field and per Intercom attribute after the sync. */
  sf: Record<string, unknown>;
  ic: Record<string, unknown>;
  failures: Failure[];
  writesSf: boolean;
  writesIc: boolean;
  /** How each field and attribute compares. */
  kinds: Record<string, Kind>;
}

export function expectedOutcome(pair: ModelPair, mappings: readonly Mapping[]): PairOutcome {
  const out: PairOutcome = { pair, sf: {}, ic: {}, failures: [], writesSf: false, writesIc: false, kinds: {} };
  for (const m of mappings) {
    if (m.sfObject !== pair.object) continue;
    const kind = KIND[m.sfField];
    out.kinds[m.sfField] = kind;
    out.kinds[m.icAttribute] = kind;
    const sfNow = comparable(kind, pair.sf[m.sfField] ?? null);
    const icNow = comparable(kind, icValue(pair.ic, m.icAttribute));
    if (m.direction === 'intercom_to_salesforce') {
      const cause = refusal(m.sfField, icValue(pair.ic, m.icAttribute));
      if (cause) out.failures.push({ sfId: pair.sf.Id, field: m.sfField, cause });
      out.sf[m.sfField] = cause ? sfNow : icNow;
      if (!cause && icNow !== sfNow) out.writesSf = true;
    } else {
      out.ic[m.icAttribute] = sfNow;
      if (icNow !== sfNow) out.writesIc = true;
    }
  }
  return out;
}

/** What the two systems hold now, in the same comparable form. */
export function actualValues(o: PairOutcome, sf: SfRecord, ic: IcContact): { sf: Record<string, unknown>; ic: Record<string, unknown> } {
  return {
    sf: Object.fromEntries(Object.keys(o.sf).map((f) => [f, comparable(o.kinds[f], sf[f] ?? null)])),
    ic: Object.fromEntries(Object.keys(o.ic).map((a) => [a, comparable(o.kinds[a], icValue(ic, a))])),
  };
}

/** Fields no mapping writes must be left as they were (the audit stamps aside). */
export function untouchedSf(before: SfRecord, after: SfRecord, written: readonly string[]): Record<string, [unknown, unknown]> {
  const skip = new Set([...written, 'LastModifiedDate', 'SystemModstamp']);
  const diff: Record<string, [unknown, unknown]> = {};
  for (const k of new Set([...Object.keys(before), ...Object.keys(after)])) {
    if (!skip.has(k) && JSON.stringify(before[k] ?? null) !== JSON.stringify(after[k] ?? null)) diff[k] = [before[k], after[k]];
  }
  return diff;
}
