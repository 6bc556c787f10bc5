// The shapes the connectors speak, in the services' own terms. Actors see only these.

import type { SfObject } from '../protocol/index.ts';

export { SF_OBJECTS, type SfObject } from '../protocol/index.ts';

/** A record as Salesforce returns it, minus `attributes`. Timestamps like 2024-01-01T00:00:00.000+0000. */
export interface SfRecord {
  Id: string;
  SystemModstamp?: string;
  [field: string]: unknown;
}

export type SfFieldType =
  | 'id'
  | 'reference'
  | 'string'
  | 'email'
  | 'phone'
  | 'url'
  | 'textarea'
  | 'boolean'
  | 'int'
  | 'double'
  | 'currency'
  | 'percent'
  | 'date'
  | 'datetime'
  | 'picklist'
  | 'multipicklist'
  | (string & {});

export interface SfPicklistValue {
  value: string;
  label: string;
  active: boolean;
  defaultValue: boolean;
}

/** The part of a describe field peoplesync reads (the service sends many more keys). */
export interface SfFieldDescribe {
  name: string;
  label: string;
  type: SfFieldType;
  length: number;
  updateable: boolean;
  createable: boolean;
  nillable: boolean;
  picklistValues: SfPicklistValue[];
  precision?: number;
  scale?: number;
}

export interface SfDescribe {
  name: string;
  fields: SfFieldDescribe[];
}

export interface SfRecordUpdate {
  type: SfObject;
  id: string;
  fields: Record<string, unknown>;
}

export interface SfRecordError {
  statusCode: string;
  message: string;
  fields: string[];
}
export interface SfRecordResult {
  id: string;
  success: boolean;
  errors: SfRecordError[];
}

/** Keyset cursor for change polling: strictly after (SystemModstamp, Id). */
export interface SfChangeCursor {
  modstamp: string;
  id: string;
}

/** Reported for every HTTP call a connector makes to Salesforce, successful or not, so the quota
 * actor can account for it. orgUsed/orgMax come from `Sforce-Limit-Info` when the answer had it. */
export interface ApiCallReport {
  system: 'salesforce';
  kind: 'auth' | 'query' | 'update' | 'describe' | 'limits';
  /** Calls this report stands for (1 for one HTTP request; a retry is reported again). */
  calls: number;
  ok: boolean;
  orgUsed?: number;
  orgMax?: number;
  at: number;
}
export type ApiCallListener = (report: ApiCallReport) => void;

export type IcRole = 'user' | 'lead';

export interface IcContact {
  type: 'contact';
  id: string;
  workspace_id?: string;
  external_id: string | null;
  role: IcRole;
  email: string | null;
  phone: string | null;
  name: string | null;
  owner_id?: number | null;
  custom_attributes: Record<string, unknown>;
  created_at: number;
  updated_at: number;
  signed_up_at?: number | null;
  last_seen_at?: number | null;
  [key: string]: unknown;
}

/** What PUT /contacts/{id} may change; send only fields that differ. */
export interface IcContactPatch {
  role?: IcRole;
  external_id?: string | null;
  email?: string | null;
  phone?: string | null;
  name?: string | null;
  signed_up_at?: number | null;
  last_seen_at?: number | null;
  owner_id?: number | null;
  unsubscribed_from_emails?: boolean;
  custom_attributes?: Record<string, unknown>;
}

export type IcDataType = 'string' | 'integer' | 'float' | 'boolean' | 'date' | 'datetime';

export interface IcDataAttribute {
  name: string;
  full_name: string;
  label: string;
  data_type: IcDataType;
  custom: boolean;
  archived: boolean;
  api_writable: boolean;
  options?: string[];
}

export interface IcPage {
  contacts: IcContact[];
  next?: string;
  totalCount: number;
}

export type IcSearchOperator = '=' | '!=' | 'IN' | 'NIN' | '<' | '<=' | '>' | '>=' | '~' | '!~' | '^' | '$';
export type IcSearchValue = string | number | boolean | null | Array<string | number>;
/** One filter of POST /contacts/search. Timestamp fields match by calendar day. */
export interface IcSearchFilter {
  field: string;
  operator: IcSearchOperator;
  value: IcSearchValue;
}
/** A group: at most 15 members, at most 2 levels of groups. */
export interface IcSearchGroup {
  operator: 'AND' | 'OR';
  value: IcSearchQuery[];
}
export type IcSearchQuery = IcSearchFilter | IcSearchGroup;
/** The order of a search's results; dates sort by their full value. */
export interface IcSearchSort {
  field: string;
  order: 'ascending' | 'descending';
}
