// The Salesforce side of the data model: which fields Lead and Contact have, their types,
// lengths, picklists and what the describe says a client may do with them (update, filter,
// sort). The standard fields and the shared data model's custom fields are the default; a
// sandbox holds its own SfSchema, to which a schema file adds custom fields and from which an
// admin may delete one, as in a real org. The generator fills records from the default.

import { SandboxSchemaError } from './schema-error.ts';
import type { SObjectName } from './salesforce/wire.ts';

export { makeSfId, objectOfId, SF_KEY_PREFIX, toId18 } from './sf-ids.ts';

export type SfFieldKind =
  | 'id'
  | 'reference'
  | 'string'
  | 'email'
  | 'phone'
  | 'url'
  | 'textarea'
  | 'boolean'
  | 'picklist'
  | 'multipicklist'
  | 'double'
  | 'int'
  | 'currency'
  | 'percent'
  | 'date'
  | 'datetime';

export const SF_FIELD_KINDS: readonly SfFieldKind[] = [
  'id',
  'reference',
  'string',
  'email',
  'phone',
  'url',
  'textarea',
  'boolean',
  'picklist',
  'multipicklist',
  'double',
  'int',
  'currency',
  'percent',
  'date',
  'datetime',
];

export interface SfFieldSpec {
  name: string;
  label: string;
  type: SfFieldKind;
  /** Character limit for text types, 0 otherwise (as the describe reports it). */
  length: number;
  nillable: boolean;
  updateable: boolean;
  createable: boolean;
  custom: boolean;
  /** May appear in a WHERE clause; long text areas may not. */
  filterable: boolean;
  /** May appear in an ORDER BY clause; long text areas may not. */
  sortable: boolean;
  picklist?: readonly string[];
  /** A restricted picklist refuses values outside its list; an unrestricted one stores any. */
  restricted?: boolean;
  /** Objects a reference field points to. */
  referenceTo?: readonly string[];
  precision?: number;
  scale?: number;
  digits?: number;
}

export const LEAD_SOURCES = ['Web', 'Phone Inquiry', 'Partner Referral', 'Other'] as const;
export const PLANS = ['Free', 'Starter', 'Pro', 'Enterprise'] as const;
export const LEAD_STATUSES = ['Open - Not Contacted', 'Working - Contacted', 'Closed - Converted', 'Closed - Not Converted'] as const;

type SpecInput = Partial<SfFieldSpec> & Pick<SfFieldSpec, 'name' | 'type'>;

export function spec(input: SpecInput): SfFieldSpec {
  const longText = input.type === 'textarea' && (input.length ?? 0) > 255;
  return {
    label: input.label ?? input.name.replace(/__c$/, '').replace(/_/g, ' '),
    length: 0,
    nillable: true,
    updateable: true,
    createable: true,
    custom: input.name.endsWith('__c'),
    filterable: !longText,
    sortable: !longText,
    ...input,
  };
}

const SYSTEM = { updateable: false, createable: false } as const;

const COMMON_FIELDS: readonly SfFieldSpec[] = [
  spec({ name: 'Id', label: 'Record ID', type: 'id', length: 18, nillable: false, ...SYSTEM }),
  spec({ name: 'FirstName', label: 'First Name', type: 'string', length: 40 }),
  spec({ name: 'LastName', label: 'Last Name', type: 'string', length: 80, nillable: false }),
  spec({ name: 'Email', type: 'email', length: 80 }),
  spec({ name: 'Phone', type: 'phone', length: 40 }),
  spec({ name: 'Title', type: 'string', length: 128 }),
  spec({ name: 'Description', type: 'textarea', length: 32000 }),
  spec({ name: 'HasOptedOutOfEmail', label: 'Email Opt Out', type: 'boolean', nillable: false }),
  // Standard picklists are unrestricted unless an admin restricts them (the recorded describe's
  // picklists say restrictedPicklist: false); new custom picklists are restricted by default.
  spec({ name: 'LeadSource', label: 'Lead Source', type: 'picklist', length: 255, picklist: LEAD_SOURCES, restricted: false }),
  spec({ name: 'Plan__c', type: 'picklist', length: 255, picklist: PLANS, restricted: true }),
  spec({ name: 'Score__c', type: 'double', precision: 18, scale: 2 }),
  spec({ name: 'Trial_End__c', type: 'date' }),
  spec({ name: 'Last_Login__c', type: 'datetime' }),
  spec({ name: 'Intercom_Id__c', label: 'Intercom Id', type: 'string', length: 40 }),
  spec({ name: 'CreatedDate', label: 'Created Date', type: 'datetime', nillable: false, ...SYSTEM }),
  spec({ name: 'LastModifiedDate', label: 'Last Modified Date', type: 'datetime', nillable: false, ...SYSTEM }),
  spec({ name: 'SystemModstamp', label: 'System Modstamp', type: 'datetime', nillable: false, ...SYSTEM }),
];

const LEAD_FIELDS: readonly SfFieldSpec[] = [
  spec({ name: 'Company', type: 'string', length: 255, nillable: false }),
  spec({ name: 'City', type: 'string', length: 40 }),
  spec({ name: 'Status', type: 'picklist', length: 255, nillable: false, picklist: LEAD_STATUSES, restricted: false }),
  spec({ name: 'NumberOfEmployees', label: 'Employees', type: 'int', digits: 8 }),
  spec({ name: 'AnnualRevenue', label: 'Annual Revenue', type: 'currency', precision: 18, scale: 0 }),
  // Set by lead conversion only: a converted Lead can be read but no longer updated.
  spec({ name: 'IsConverted', label: 'Converted', type: 'boolean', nillable: false, updateable: false }),
  spec({ name: 'ConvertedDate', label: 'Converted Date', type: 'date', ...SYSTEM }),
  spec({ name: 'ConvertedContactId', label: 'Converted Contact ID', type: 'reference', length: 18, referenceTo: ['Contact'], ...SYSTEM }),
];

const CONTACT_FIELDS: readonly SfFieldSpec[] = [
  spec({ name: 'Department', type: 'string', length: 80 }),
  spec({ name: 'MailingCity', label: 'Mailing City', type: 'string', length: 40 }),
  spec({ name: 'Birthdate', type: 'date' }),
];

/** The default fields: the standard ones and the shared data model's custom fields. */
export const SF_FIELDS: Readonly<Record<SObjectName, readonly SfFieldSpec[]>> = {
  Lead: [...COMMON_FIELDS, ...LEAD_FIELDS],
  Contact: [...COMMON_FIELDS, ...CONTACT_FIELDS],
};

const DEFAULT_INDEX: Record<SObjectName, Map<string, SfFieldSpec>> = {
  Lead: new Map(SF_FIELDS.Lead.map((f) => [f.name.toLowerCase(), f])),
  Contact: new Map(SF_FIELDS.Contact.map((f) => [f.name.toLowerCase(), f])),
};

/** A field of the default schema; names are case-insensitive in Salesforce, as in SOQL. */
export function findField(object: SObjectName, name: string): SfFieldSpec | undefined {
  return DEFAULT_INDEX[object].get(name.toLowerCase());
}

/** The canonical name of an sObject: names are case-insensitive on the wire. */
export function sobjectName(name: string): SObjectName | undefined {
  const lower = name.toLowerCase();
  return lower === 'lead' ? 'Lead' : lower === 'contact' ? 'Contact' : undefined;
}

export function isSfObject(name: string): name is SObjectName {
  return name === 'Lead' || name === 'Contact';
}

/** One org's fields. Standard fields are fixed; custom fields (`__c`) can be added, changed and
 * deleted, as an admin does in Setup. `version` changes with every change. */
export class SfSchema {
  private readonly fields: Record<SObjectName, Map<string, SfFieldSpec>>;
  version = 0;

  constructor() {
    this.fields = { Lead: new Map(DEFAULT_INDEX.Lead), Contact: new Map(DEFAULT_INDEX.Contact) };
  }

  list(object: SObjectName): SfFieldSpec[] {
    return [...this.fields[object].values()];
  }

  field(object: SObjectName, name: string): SfFieldSpec | undefined {
    return this.fields[object].get(name.toLowerCase());
  }

  /** Adds or replaces a custom field. */
  define(object: SObjectName, field: SfFieldSpec): void {
    if (!field.name.endsWith('__c')) {
      throw new SandboxSchemaError(`${object}.${field.name}: only custom fields (names ending in __c) can be defined`);
    }
    this.fields[object].set(field.name.toLowerCase(), field);
    this.version++;
  }

  /** Deletes a custom field: it leaves the describe, queries and writes refuse it. */
  remove(object: SObjectName, name: string): void {
    const f = this.field(object, name);
    if (!f) throw new SandboxSchemaError(`${object} has no field ${name}`);
    if (!f.custom) throw new SandboxSchemaError(`${object}.${f.name} is a standard field: only custom fields can be deleted`);
    this.fields[object].delete(name.toLowerCase());
    this.version++;
  }
}

/** `2024-01-01T00:00:00.000+0000`, the way Salesforce prints date-times. */
export function formatSfDateTime(ms: number): string {
  return new Date(ms).toISOString().replace('Z', '+0000');
}

export function formatSfDate(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10);
}

/** Parses any ISO-8601 date-time Salesforce accepts; NaN when it is not one. */
export function parseSfDateTime(text: string): number {
  const m = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d{1,3})?)(Z|[+-]\d{2}:?\d{2})$/.exec(text);
  if (!m) return Number.NaN;
  const zone = m[2] === 'Z' ? 'Z' : `${m[2].slice(0, 3)}:${m[2].slice(-2)}`;
  return Date.parse(m[1] + zone);
}
