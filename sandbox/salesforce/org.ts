// The sandbox org's state and the operations tests and the admin API perform on it: records,
// user edits, the usage window, validation rules, faults, sessions and call statistics.

import type { SfObject, SfRecord } from '../../connectors/types.ts';
import { generatePeople, type GeneratorOptions } from '../generator.ts';
import { readNdjson, writeNdjson } from '../ndjson.ts';
import { isSfObject, objectOfId } from '../sf-schema.ts';
import { FaultInjector } from './faults.ts';
import { SessionStore, type OAuthConfig } from './oauth.ts';
import { RecordStore } from './store.ts';
import { ApiUsage } from './usage.ts';
import { checkRule, validateChanges, type ValidationRule } from './validate.ts';

export type CallKind = 'auth' | 'query' | 'queryMore' | 'update' | 'describe' | 'limits' | 'retrieve' | 'updated' | 'other';

export interface SandboxStats {
  /** Every HTTP request to the token endpoint or the data API, whatever its answer. */
  requests: number;
  byKind: Record<CallKind, number>;
  /** Calls counted against the daily limit (what api-usage's own share shows). */
  charged: number;
  unauthorized: number;
  limited: number;
  injectedErrors: number;
  dropped: number;
  /** TCP connections accepted: far fewer than requests when clients keep connections alive. */
  connections: number;
}

const emptyStats = (): SandboxStats => ({
  requests: 0,
  byKind: { auth: 0, query: 0, queryMore: 0, update: 0, describe: 0, limits: 0, retrieve: 0, updated: 0, other: 0 },
  charged: 0,
  unauthorized: 0,
  limited: 0,
  injectedErrors: 0,
  dropped: 0,
  connections: 0,
});

export class SandboxOrg {
  readonly store: RecordStore;
  readonly usage: ApiUsage;
  readonly faults = new FaultInjector();
  readonly sessions: SessionStore;
  rules: ValidationRule[] = [];
  stats: SandboxStats = emptyStats();
  private clockOffset = 0;
  readonly now: () => number;

  constructor(
    readonly oauth: OAuthConfig,
    dailyMax: number,
    baseNow: () => number,
  ) {
    this.now = () => baseNow() + this.clockOffset;
    this.store = new RecordStore(this.now);
    this.usage = new ApiUsage(this.now, dailyMax);
    this.sessions = new SessionStore(this.now, oauth.sessionTtlMs);
  }

  advanceClock(ms: number): void {
    if (!Number.isFinite(ms)) throw new Error(`advanceClock needs a finite number of ms, got ${String(ms)}`);
    this.clockOffset += ms;
  }

  resetStats(): void {
    this.stats = emptyStats();
  }

  seed(opts: GeneratorOptions): number {
    let n = 0;
    for (const p of generatePeople(opts)) {
      if (p.lead) {
        this.store.insert('Lead', p.lead);
        n++;
      }
      if (p.contact) {
        this.store.insert('Contact', p.contact);
        n++;
      }
    }
    this.store.finishLoad();
    return n;
  }

  /** Loads NDJSON rows: generated people ({lead, contact, ...}) or records ({attributes:{type}, Id, ...}). */
  async load(source: string | Iterable<unknown> | AsyncIterable<unknown>): Promise<number> {
    const rows = typeof source === 'string' ? readNdjson(source) : source;
    let n = 0;
    let line = 0;
    try {
      for await (const row of rows) {
        line++;
        n += this.loadRow(row, line);
      }
    } finally {
      this.store.finishLoad();
    }
    return n;
  }

  private loadRow(row: unknown, line: number): number {
    if (typeof row !== 'object' || row === null) throw new Error(`load: row ${line} is not an object`);
    const r = row as Record<string, unknown>;
    const attrs = r.attributes as { type?: unknown } | undefined;
    if (attrs && typeof attrs.type === 'string') {
      if (!isSfObject(attrs.type)) throw new Error(`load: row ${line} has unsupported type ${attrs.type}`);
      const { attributes: _a, ...record } = r;
      this.store.insert(attrs.type, record as SfRecord);
      return 1;
    }
    if ('lead' in r || 'contact' in r || 'intercom' in r) {
      let n = 0;
      if (r.lead) {
        this.store.insert('Lead', r.lead as SfRecord);
        n++;
      }
      if (r.contact) {
        this.store.insert('Contact', r.contact as SfRecord);
        n++;
      }
      return n;
    }
    throw new Error(`load: row ${line} is neither a record with attributes.type nor a generated person`);
  }

  /** Every record as a dump row: {attributes:{type}, ...fields}. */
  *rows(): Generator<Record<string, unknown>> {
    for (const object of ['Lead', 'Contact'] as const) {
      for (const r of this.store.all(object)) yield { attributes: { type: object }, ...r };
    }
  }

  dump(path: string): Promise<number> {
    return writeNdjson(path, this.rows());
  }

  records(object: SfObject, offset = 0, limit = Infinity): SfRecord[] {
    const out: SfRecord[] = [];
    let i = 0;
    for (const r of this.store.all(object)) {
      if (i++ < offset) continue;
      if (out.length >= limit) break;
      out.push({ ...r });
    }
    return out;
  }

  get(id: string): SfRecord | undefined {
    const hit = this.store.get(id);
    return hit && { ...hit.record };
  }

  /** A change made in the Salesforce UI: type checks apply, API validation rules do not. */
  userUpdate(id: string, fields: Record<string, unknown>): SfRecord {
    const hit = this.store.get(id);
    if (!hit) throw new Error(`userUpdate: no record ${id}`);
    const verdict = validateChanges(hit.object, hit.record, fields, []);
    if (!verdict.ok) throw new Error(`userUpdate ${id}: ${verdict.errors.map((e) => `${e.statusCode} ${e.message}`).join('; ')}`);
    this.store.write([{ id, values: verdict.values }]);
    return { ...hit.record };
  }

  create(object: SfObject, fields: Record<string, unknown>): SfRecord {
    if (!isSfObject(object)) throw new Error(`create: unsupported object ${String(object)}`);
    const blank: SfRecord = { Id: '' };
    const verdict = validateChanges(object, blank, fields, []);
    if (!verdict.ok) throw new Error(`create ${object}: ${verdict.errors.map((e) => `${e.statusCode} ${e.message}`).join('; ')}`);
    for (const required of object === 'Lead' ? ['LastName', 'Company'] : ['LastName']) {
      if (verdict.values[required] == null) throw new Error(`create ${object}: REQUIRED_FIELD_MISSING ${required}`);
    }
    const values = object === 'Lead' ? { Status: 'Open - Not Contacted', ...verdict.values } : verdict.values;
    return { ...this.store.create(object, values) };
  }

  delete(id: string): boolean {
    if (!objectOfId(id)) throw new Error(`delete: ${id} is not a Lead or Contact Id`);
    return this.store.delete(id);
  }

  addRule(rule: ValidationRule): ValidationRule[] {
    this.rules.push(checkRule(rule));
    return this.rules;
  }

  removeRule(name: string): ValidationRule[] {
    this.rules = this.rules.filter((r) => r.name !== name);
    return this.rules;
  }

  clearRules(): void {
    this.rules = [];
  }

  setDailyMax(max: number): void {
    if (!Number.isInteger(max) || max < 0) throw new Error(`daily max must be a non-negative integer, got ${String(max)}`);
    this.usage.max = max;
  }

  issueToken(): string {
    return this.sessions.issue(this.oauth.orgId);
  }

  counts(): Record<SfObject, number> {
    return { Lead: this.store.count('Lead'), Contact: this.store.count('Contact') };
  }
}
