// The Salesforce side of the shared data model (notes/dataset.md): which fields Lead and Contact
// have, their types, lengths and picklists. The generator fills records from it and the Salesforce
// sandbox serves its describe and validates writes against it.

import type { SfObject } from '../connectors/types.ts';

export type SfFieldKind =
  'id' | 'string' | 'email' | 'phone' | 'textarea' | 'boolean' | 'picklist' | 'double' | 'int' | 'currency' | 'date' | 'datetime';

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
  picklist?: readonly string[];
  precision?: number;
  scale?: number;
  digits?: number;
}

export const LEAD_SOURCES = ['Web', 'Phone Inquiry', 'Partner Referral', 'Other'] as const;
export const PLANS = ['Free', 'Starter', 'Pro', 'Enterprise'] as const;
export const LEAD_STATUSES = ['Open - Not Contacted', 'Working - Contacted', 'Closed - Converted', 'Closed - Not Converted'] as const;

type SpecInput = Partial<SfFieldSpec> & Pick<SfFieldSpec, 'name' | 'type'>;

function spec(input: SpecInput): SfFieldSpec {
  const custom = input.name.endsWith('__c');
  return {
    label: input.label ?? input.name.replace(/__c$/, '').replace(/_/g, ' '),
    length: 0,
    nillable: true,
    updateable: true,
    createable: true,
    custom,
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
  spec({ name: 'LeadSource', label: 'Lead Source', type: 'picklist', length: 255, picklist: LEAD_SOURCES }),
  spec({ name: 'Plan__c', type: 'picklist', length: 255, picklist: PLANS }),
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
  spec({ name: 'Status', type: 'picklist', length: 255, nillable: false, picklist: LEAD_STATUSES }),
  spec({ name: 'NumberOfEmployees', label: 'Employees', type: 'int', digits: 8 }),
  spec({ name: 'AnnualRevenue', label: 'Annual Revenue', type: 'currency', precision: 18, scale: 0 }),
];

const CONTACT_FIELDS: readonly SfFieldSpec[] = [
  spec({ name: 'Department', type: 'string', length: 80 }),
  spec({ name: 'MailingCity', label: 'Mailing City', type: 'string', length: 40 }),
  spec({ name: 'Birthdate', type: 'date' }),
];

export const SF_FIELDS: Readonly<Record<SfObject, readonly SfFieldSpec[]>> = {
  Lead: [...COMMON_FIELDS, ...LEAD_FIELDS],
  Contact: [...COMMON_FIELDS, ...CONTACT_FIELDS],
};

export const SF_KEY_PREFIX: Readonly<Record<SfObject, string>> = { Lead: '00Q', Contact: '003' };

const FIELD_INDEX: Record<SfObject, Map<string, SfFieldSpec>> = {
  Lead: new Map(SF_FIELDS.Lead.map((f) => [f.name.toLowerCase(), f])),
  Contact: new Map(SF_FIELDS.Contact.map((f) => [f.name.toLowerCase(), f])),
};

/** Field names are case-insensitive in Salesforce, as in SOQL. */
export function findField(object: SfObject, name: string): SfFieldSpec | undefined {
  return FIELD_INDEX[object].get(name.toLowerCase());
}

export function isSfObject(name: string): name is SfObject {
  return name === 'Lead' || name === 'Contact';
}

/** The object an Id belongs to, by its key prefix. */
export function objectOfId(id: string): SfObject | undefined {
  const prefix = id.slice(0, 3);
  if (prefix === SF_KEY_PREFIX.Lead) return 'Lead';
  if (prefix === SF_KEY_PREFIX.Contact) return 'Contact';
  return undefined;
}

/** 18-character Id, sortable in creation order: base-36 upper-case digits keep ordinal order,
 * and the case-checksum suffix of an all-upper-case Id is always AAA. */
export function makeSfId(object: SfObject, seq: number): string {
  return SF_KEY_PREFIX[object] + seq.toString(36).toUpperCase().padStart(12, '0') + 'AAA';
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
