// What a bulk run must leave behind, computed here on its own from the data before the run: the
// test's own join (normalised email; a Contact pairs a user, a Lead pairs a lead, or a user no
// Contact took), its own value comparison and the settings' directions. Nothing from the actors.
import type { IcContact, SfObject, SfRecord } from '../../connectors/index.ts';
import type { Mapping } from '../../protocol/index.ts';
import type { Sandboxes } from '../../sandbox/index.ts';
import { BulkStart, BulkStatus, type Run } from '../../protocol/index.ts';
import { waitFor } from '../helpers/host.ts';
import { type TestSystem, WS } from '../helpers/system.ts';

/** Every worker hosts the gateway: each on a free port, so workers and test files never clash. */
export const FREE_PORT = { http: { host: '127.0.0.1', port: 0 } };

/** Starts a bulk run through the first worker and resolves with it once it has ended. */
export async function runToEnd(sys: TestSystem, dryRun = false, timeoutMs = 45_000): Promise<Run> {
  const m = sys.workers[0].host.messenger;
  const { run } = await m.request(BulkStart, WS, { startedBy: 'e2e', dryRun });
  return waitFor(
    async () => {
      const r = (await m.request(BulkStatus, WS, {})).run;
      return r && r.runId === run.runId && r.status !== 'running' && r.status !== 'paused' ? r : null;
    },
    { what: 'run end', timeoutMs },
  );
}

export interface Snapshot {
  sf: Map<string, { object: SfObject; record: SfRecord }>;
  ic: Map<string, IcContact>;
}

export function snapshot(s: Sandboxes): Snapshot {
  const sf = new Map<string, { object: SfObject; record: SfRecord }>();
  for (const object of ['Lead', 'Contact'] as const) {
    const n = s.salesforce.counts()[object];
    for (const r of s.salesforce.records(object, 0, n + 1)) sf.set(r.Id, { object, record: structuredClone(r) });
  }
  const ic = new Map<string, IcContact>();
  for (const c of s.intercom.contacts()) ic.set(c.id, structuredClone(c));
  return { sf, ic };
}

const email = (e: unknown) => (typeof e === 'string' ? e.normalize('NFC').trim().toLowerCase() : null);

type Kind = 'text' | 'number' | 'boolean' | 'date' | 'datetime' | 'seconds';
const SF_KINDS: Record<string, Kind> = {
  Trial_End__c: 'date',
  Last_Login__c: 'datetime',
  Score__c: 'number',
  NumberOfEmployees: 'number',
  HasOptedOutOfEmail: 'boolean',
};
const IC_KINDS: Record<string, Kind> = {
  'custom_attributes.trial_end': 'seconds',
  'custom_attributes.last_login': 'seconds',
  'custom_attributes.score': 'number',
  'custom_attributes.employees': 'number',
  'custom_attributes.opted_out': 'boolean',
};

/** A value in comparable form: dates and times as epoch ms, '' as null, numbers to cents. */
export function canonical(value: unknown, kind: Kind): string | number | boolean | null {
  if (value === undefined || value === null || value === '') return null;
  switch (kind) {
    case 'date':
      return Date.parse(`${String(value)}T00:00:00Z`);
    case 'datetime':
      return Date.parse(String(value).replace(/\+0000$/, 'Z'));
    case 'seconds':
      return Number(value) * 1000;
    case 'number':
      return Math.round(Number(value) * 100) / 100;
    case 'boolean':
      return Boolean(value);
    default:
      return String(value);
  }
}

export const sfValue = (r: SfRecord, field: string) => canonical(r[field], SF_KINDS[field] ?? 'text');
export function icValue(c: IcContact, attribute: string) {
  const raw = attribute.startsWith('custom_attributes.') ? c.custom_attributes[attribute.slice(18)] : c[attribute];
  return canonical(raw, IC_KINDS[attribute] ?? 'text');
}

export interface Expected {
  pairs: Array<{ sfId: string; icId: string; object: SfObject }>;
  /** Per record, the mapped values it must end with (canonical). */
  sf: Map<string, Record<string, unknown>>;
  ic: Map<string, Record<string, unknown>>;
  counts: {
    scanned: number;
    inCommon: number;
    unmatched: number;
    ambiguous: number;
    skipped: number;
    updatedSalesforce: number;
    updatedIntercom: number;
    unchanged: number;
  };
  /** sObject updates needed: the lower bound of update calls is ceil(this / 200). */
  sfUpdates: number;
}

function join(snap: Snapshot) {
  const byEmail = new Map<string, IcContact[]>();
  for (const c of snap.ic.values()) {
    const e = email(c.email);
    if (e) byEmail.set(e, [...(byEmail.get(e) ?? []), c]);
  }
  const pairs: Expected['pairs'] = [];
  let unmatched = 0;
  let ambiguous = 0;
  // A Lead whose only match is a user a Contact already took is left alone, not unmatched.
  let skipped = 0;
  const takenUsers = new Set<string>();
  // Contacts first (the run scans them first), so their users are taken before Leads look.
  const records = [...snap.sf.values()].sort((a, b) => (a.object === b.object ? 0 : a.object === 'Contact' ? -1 : 1));
  for (const { object, record } of records) {
    const found = byEmail.get(email(record.Email) ?? '') ?? [];
    const candidates =
      object === 'Contact' ? found.filter((c) => c.role === 'user') : found.filter((c) => c.role === 'lead' || !takenUsers.has(c.id));
    if (candidates.length === 0 && found.length > 0 && object === 'Lead') skipped++;
    else if (candidates.length === 0) unmatched++;
    else if (candidates.length > 1) ambiguous++;
    else {
      pairs.push({ sfId: record.Id, icId: candidates[0].id, object });
      if (object === 'Contact') takenUsers.add(candidates[0].id);
    }
  }
  return { pairs, unmatched, ambiguous, skipped };
}

export function expectedAfterRun(snap: Snapshot, mappings: readonly Mapping[]): Expected {
  const { pairs, unmatched, ambiguous, skipped } = join(snap);
  const sf = new Map<string, Record<string, unknown>>();
  const ic = new Map<string, Record<string, unknown>>();
  let updatedSalesforce = 0;
  let updatedIntercom = 0;
  let unchanged = 0;
  for (const p of pairs) {
    const rec = snap.sf.get(p.sfId)!.record;
    const con = snap.ic.get(p.icId)!;
    const sfEnd: Record<string, unknown> = {};
    const icEnd: Record<string, unknown> = icEndOf(ic, p.icId);
    let sfChanged = false;
    let icChanged = false;
    for (const m of mappings.filter((x) => x.sfObject === p.object)) {
      const [s, i] = [sfValue(rec, m.sfField), icValue(con, m.icAttribute)];
      if (m.direction === 'intercom_to_salesforce') {
        sfEnd[m.sfField] = i;
        sfChanged ||= s !== i;
      } else {
        icEnd[m.icAttribute] = s;
        icChanged ||= s !== i;
      }
    }
    sf.set(p.sfId, sfEnd);
    if (sfChanged) updatedSalesforce++;
    if (icChanged) updatedIntercom++;
    if (!sfChanged && !icChanged) unchanged++;
  }
  return {
    pairs,
    sf,
    ic,
    sfUpdates: updatedSalesforce,
    counts: { scanned: snap.sf.size, inCommon: pairs.length, unmatched, ambiguous, skipped, updatedSalesforce, updatedIntercom, unchanged },
  };
}

function icEndOf(ic: Map<string, Record<string, unknown>>, id: string): Record<string, unknown> {
  let v = ic.get(id);
  if (!v) ic.set(id, (v = {}));
  return v;
}

/** Every difference between the state after the run and what was expected, as readable lines:
 * mapped values of pairs as computed, every other record exactly as before, nothing created. */
export function mismatches(before: Snapshot, after: Snapshot, exp: Expected): string[] {
  const out: string[] = [];
  if (after.sf.size !== before.sf.size) out.push(`Salesforce records ${before.sf.size} -> ${after.sf.size}`);
  if (after.ic.size !== before.ic.size) out.push(`Intercom contacts ${before.ic.size} -> ${after.ic.size}`);
  for (const [id, { record }] of before.sf) {
    const now = after.sf.get(id)?.record;
    if (!now) {
      out.push(`${id} disappeared`);
      continue;
    }
    const want = exp.sf.get(id);
    for (const field of Object.keys(record)) {
      if (field === 'SystemModstamp' || field === 'LastModifiedDate') continue;
      const expected = want && field in want ? want[field] : sfValue(record, field);
      if (sfValue(now, field) !== expected) out.push(`${id}.${field}: expected ${String(expected)}, got ${String(sfValue(now, field))}`);
    }
  }
  for (const [id, c] of before.ic) {
    const now = after.ic.get(id);
    if (!now) {
      out.push(`${id} disappeared`);
      continue;
    }
    const want = exp.ic.get(id) ?? {};
    const attrs = new Set([
      ...Object.keys(c.custom_attributes).map((k) => `custom_attributes.${k}`),
      'phone',
      'email',
      'name',
      'role',
      ...Object.keys(want),
    ]);
    for (const a of attrs) {
      const expected = a in want ? want[a] : icValue(c, a);
      if (icValue(now, a) !== expected) out.push(`${id}.${a}: expected ${String(expected)}, got ${String(icValue(now, a))}`);
    }
  }
  return out;
}

/** Records a run wrote, told from the data before and after it: those whose values changed
 * (diff-only writes change something every time; the modstamps are left out). */
export function written(before: Snapshot, after: Snapshot): { salesforce: number; intercom: number } {
  let salesforce = 0;
  for (const [id, { record }] of before.sf) {
    const now = after.sf.get(id)?.record;
    const fields = Object.keys(record).filter((f) => f !== 'SystemModstamp' && f !== 'LastModifiedDate');
    if (now && fields.some((f) => sfValue(now, f) !== sfValue(record, f))) salesforce++;
  }
  let intercom = 0;
  for (const [id, c] of before.ic) {
    const now = after.ic.get(id);
    const attrs = [...Object.keys(c.custom_attributes).map((k) => `custom_attributes.${k}`), 'phone', 'email', 'name', 'role'];
    if (now && attrs.some((a) => icValue(now, a) !== icValue(c, a))) intercom++;
  }
  return { salesforce, intercom };
}

/**
 * Changes made by people between runs, so that the next run has work again: the title of `n`
 * Salesforce records (synced to Intercom) and the phone of `n` Intercom contacts (synced to
 * Salesforce), with values tagged by `round`.
 */
export function disturb(s: Sandboxes, round: number, n: number): void {
  const sf = [...s.salesforce.records('Contact', 0, n), ...s.salesforce.records('Lead', 0, n)].slice(0, n);
  sf.forEach((r, i) => s.salesforce.userUpdate(r.Id, { Title: `Title ${round}.${i}` }));
  s.intercom
    .contacts()
    .slice(0, n)
    .forEach((c, i) => s.intercom.userChange(c.id, { phone: `+1555${String(round).padStart(2, '0')}${String(i).padStart(5, '0')}` }));
}
