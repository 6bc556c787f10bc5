// The sandbox org's state and the operations tests and the admin API perform on it: its schema,
// records, user edits and lead conversion, the usage window, validation rules, faults, sessions
// and call statistics.

import type { SObjectName, SObjectRecord } from './wire.ts';
import { generatePeople, type GeneratorOptions } from '../generator.ts';
import { readNdjson, writeNdjson } from '../ndjson.ts';
import { formatSfDate, objectOfId, SfSchema, sobjectName, toId18, type SfFieldSpec } from '../sf-schema.ts';
import { deserialize } from './deserialize.ts';
import { ChangeEventLog } from './change-events.ts';
import { FaultInjector } from './faults.ts';
import { SessionStore, type OAuthConfig } from './oauth.ts';
import { RecordStore } from './store.ts';
import { ApiUsage } from './usage.ts';
import { checkRule, validateChanges, type ValidationRule } from './validate.ts';

export type CallKind =
  'auth' | 'query' | 'queryMore' | 'update' | 'create' | 'describe' | 'limits' | 'retrieve' | 'updated' | 'composite' | 'other';

export interface SandboxStats {
  /** Every HTTP request to the token endpoint or the data API, whatever its answer. */
  requests: number;
  byKind: Record<CallKind, number>;
  /** When a call of each kind last came in (epoch ms, the host's clock). */
  lastAt: Partial<Record<CallKind, number>>;
  /** Calls counted against the daily limit (what api-usage's own share shows): a composite call
   * counts once, whatever its subrequests. */
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
  lastAt: {},
  byKind: {
    auth: 0,
    query: 0,
    queryMore: 0,
    update: 0,
    create: 0,
    describe: 0,
    limits: 0,
    retrieve: 0,
    updated: 0,
    composite: 0,
    other: 0,
  },
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
  readonly schema = new SfSchema();
  /** Change Data Capture: an event for every record written, kept for replay. */
  readonly events: ChangeEventLog;
  rules: ValidationRule[] = [];
  stats: SandboxStats = emptyStats();
  private clockOffset = 0;
  readonly now: () => number;

  constructor(
    readonly oauth: OAuthConfig,
    dailyMax: number,
    baseNow: () => number,
    apiVersion = '62.0',
  ) {
    this.now = () => baseNow() + this.clockOffset;
    this.store = new RecordStore(this.now, this.schema);
    this.events = new ChangeEventLog(this.faults, oauth.userId, apiVersion, this.now);
    this.store.onChange = (c) => this.events.record(c);
    this.usage = new ApiUsage(this.now, dailyMax);
    this.sessions = new SessionStore(this.now, oauth.sessionTimeoutMs);
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

  /** Loads NDJSON rows: generated people ({lead, contact, ...}) or records ({attributes:{type}, Id, ...});
   * Intercom contacts ({type: 'contact'}) are left to the Intercom sandbox. */
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
    // An Intercom contact in a file that holds both sides: not Salesforce's.
    if (!attrs && r.type === 'contact') return 0;
    if (attrs && typeof attrs.type === 'string') {
      const object = sobjectName(attrs.type);
      if (!object) throw new Error(`load: row ${line} has unsupported type ${attrs.type}`);
      const { attributes: _a, ...record } = r;
      this.insertChecked(object, record, `row ${line}`);
      return 1;
    }
    if ('lead' in r || 'contact' in r || 'intercom' in r) {
      let n = 0;
      if (r.lead) {
        this.insertChecked('Lead', r.lead as Record<string, unknown>, `row ${line} (lead)`);
        n++;
      }
      if (r.contact) {
        this.insertChecked('Contact', r.contact as Record<string, unknown>, `row ${line} (contact)`);
        n++;
      }
      return n;
    }
    throw new Error(`load: row ${line} is neither a record with attributes.type nor a generated person`);
  }

  /** Adds a loaded record whose fields the schema has, in their stored form; an Id is made when
   * the row has none. */
  private insertChecked(object: SObjectName, raw: Record<string, unknown>, where: string): void {
    const { Id: rawId, ...fields } = raw;
    const d = deserialize(this.schema, object, fields);
    if (!d.ok) throw new Error(`load: ${where}: ${d.error.errorCode}: ${d.error.message}`);
    const id = typeof rawId === 'string' ? toId18(rawId) : this.store.nextId(object);
    if (!id || objectOfId(id) !== object) throw new Error(`load: ${where}: Id ${JSON.stringify(rawId)} is not a ${object} Id`);
    const record: SObjectRecord = { Id: id };
    for (const [f, v] of d.values) record[f.name] = v === '' ? null : v;
    this.store.insert(object, record);
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

  records(object: SObjectName, offset = 0, limit = Infinity): SObjectRecord[] {
    const out: SObjectRecord[] = [];
    let i = 0;
    for (const r of this.store.all(object)) {
      if (i++ < offset) continue;
      if (out.length >= limit) break;
      out.push({ ...r });
    }
    return out;
  }

  get(id: string): SObjectRecord | undefined {
    const hit = this.store.get(id);
    return hit && { ...hit.record };
  }

  /** Checks a save as the API would: a refusal of the whole request (unknown field, wrong type)
   * or the record's own errors, as one message. */
  private verdict(object: SObjectName, current: SObjectRecord, fields: Record<string, unknown>, kind: 'update' | 'create', what: string) {
    const d = deserialize(this.schema, object, fields);
    if (!d.ok) throw new Error(`${what}: ${d.error.errorCode} ${d.error.message}`);
    const verdict = validateChanges(this.schema, object, current, d.values, [], kind);
    if (!verdict.ok) throw new Error(`${what}: ${verdict.errors.map((e) => `${e.statusCode} ${e.message}`).join('; ')}`);
    return verdict.values;
  }

  /** A change made in the Salesforce UI: type checks apply, API validation rules do not. */
  userUpdate(id: string, fields: Record<string, unknown>): SObjectRecord {
    const hit = this.store.get(id);
    if (!hit) throw new Error(`userUpdate: no record ${id}`);
    const values = this.verdict(hit.object, hit.record, fields, 'update', `userUpdate ${id}`);
    this.store.write([{ id: hit.record.Id, values }]);
    return { ...hit.record };
  }

  /** Many records changed in one transaction, as a data load or a flow does it: one stamp. */
  userUpdateMany(changes: ReadonlyArray<{ id: string; fields: Record<string, unknown> }>): string {
    const planned = changes.map(({ id, fields }) => {
      const hit = this.store.get(id);
      if (!hit) throw new Error(`userUpdateMany: no record ${id}`);
      return { id: hit.record.Id, values: this.verdict(hit.object, hit.record, fields, 'update', `userUpdateMany ${id}`) };
    });
    return this.store.write(planned);
  }

  create(object: SObjectName, fields: Record<string, unknown>): SObjectRecord {
    const name = sobjectName(String(object));
    if (!name) throw new Error(`create: unsupported object ${String(object)}`);
    return { ...this.store.create(name, this.createValues(name, this.verdict(name, { Id: '' }, fields, 'create', `create ${name}`))) };
  }

  /** Required fields and defaults of a new record, after its values passed validation. */
  createValues(object: SObjectName, values: Record<string, unknown>): Record<string, unknown> {
    const out: Record<string, unknown> = object === 'Lead' ? { Status: 'Open - Not Contacted', ...values } : { ...values };
    const missing = this.schema.list(object).filter((f) => !f.nillable && f.createable && f.type !== 'boolean' && out[f.name] == null);
    if (missing.length) throw new MissingFieldsError(missing);
    return out;
  }

  /** Converts a Lead as a user does in the UI: a new Contact from its fields (or the Contact given),
   * and the Lead marked converted, after which the API can read it but not update it. */
  convertLead(id: string, opts: { contactId?: string } = {}): { lead: SObjectRecord; contact: SObjectRecord } {
    const hit = this.store.get(id);
    if (!hit || hit.object !== 'Lead') throw new Error(`convertLead: no Lead ${id}`);
    const lead = hit.record;
    if (lead.IsConverted === true) throw new Error(`convertLead: Lead ${lead.Id} is converted already`);
    let contact: SObjectRecord;
    if (opts.contactId) {
      const c = this.store.get(opts.contactId);
      if (!c || c.object !== 'Contact') throw new Error(`convertLead: no Contact ${opts.contactId}`);
      contact = c.record;
    } else {
      const carried = ['FirstName', 'LastName', 'Email', 'Phone', 'Title', 'Description', 'LeadSource', 'HasOptedOutOfEmail'];
      const values: Record<string, unknown> = {};
      for (const f of carried) if (this.schema.field('Contact', f)) values[f] = lead[f];
      contact = this.store.create('Contact', values);
    }
    const converted = {
      IsConverted: true,
      ConvertedDate: formatSfDate(this.now()),
      ConvertedContactId: contact.Id,
      Status: 'Closed - Converted',
    };
    this.store.write([{ id: lead.Id, values: converted }]);
    return { lead: { ...lead }, contact: { ...contact } };
  }

  delete(id: string): boolean {
    if (!objectOfId(id)) throw new Error(`delete: ${id} is not a Lead or Contact Id`);
    const stored = this.store.canonicalId(id);
    return stored !== undefined && this.store.delete(stored);
  }

  /** Adds or changes a custom field, as an admin does in Setup. */
  defineField(object: SObjectName, field: SfFieldSpec): void {
    this.schema.define(object, field);
  }

  /** Deletes a custom field, as an admin does in Setup: queries and writes naming it are refused. */
  deleteField(object: SObjectName, name: string): void {
    this.schema.remove(object, name);
  }

  addRule(rule: ValidationRule): ValidationRule[] {
    this.rules.push(checkRule(this.schema, rule));
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

  counts(): Record<SObjectName, number> {
    return { Lead: this.store.count('Lead'), Contact: this.store.count('Contact') };
  }
}

/** A create without a required field: REQUIRED_FIELD_MISSING. */
export class MissingFieldsError extends Error {
  override name = 'MissingFieldsError';
  readonly fields: string[];
  constructor(missing: readonly SfFieldSpec[]) {
    const fields = missing.map((f) => f.name);
    super(`Required fields are missing: [${fields.join(', ')}]`);
    this.fields = fields;
  }
}
