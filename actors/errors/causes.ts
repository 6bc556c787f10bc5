// The short category shown with a sync error, from what the external system said. Salesforce
// answers per record with a statusCode; Intercom with an HTTP status and an error code.
import type { ErrorCause } from '../../protocol/index.ts';

const SALESFORCE: Readonly<Record<string, ErrorCause>> = {
  FIELD_CUSTOM_VALIDATION_EXCEPTION: 'validation_rule',
  FIELD_FILTER_VALIDATION_EXCEPTION: 'validation_rule',
  STRING_TOO_LONG: 'field_too_long',
  INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST: 'invalid_picklist_value',
  INVALID_PICKLIST_VALUE: 'invalid_picklist_value',
  INVALID_EMAIL_ADDRESS: 'invalid_value',
  INVALID_TYPE_ON_FIELD_IN_RECORD: 'invalid_value',
  NUMBER_OUTSIDE_VALID_RANGE: 'invalid_value',
  FIELD_INTEGRITY_EXCEPTION: 'invalid_value',
  INVALID_FIELD: 'invalid_value',
  MALFORMED_ID: 'invalid_value',
  DUPLICATES_DETECTED: 'duplicate',
  DUPLICATE_VALUE: 'duplicate',
  INSUFFICIENT_ACCESS_OR_READONLY: 'permission',
  INSUFFICIENT_ACCESS_ON_CROSS_REFERENCE_ENTITY: 'permission',
  INVALID_FIELD_FOR_INSERT_UPDATE: 'permission',
  CANNOT_UPDATE_CONVERTED_LEAD: 'permission',
  ENTITY_IS_DELETED: 'not_found',
  INVALID_CROSS_REFERENCE_KEY: 'not_found',
  INVALID_ID_FIELD: 'not_found',
  NOT_FOUND: 'not_found',
  REQUIRED_FIELD_MISSING: 'required_field',
  REQUEST_LIMIT_EXCEEDED: 'rate_limited',
  UNABLE_TO_LOCK_ROW: 'conflict',
  ENTITY_IS_LOCKED: 'conflict',
};

/** Cause of a Salesforce per-record error (`errors[].statusCode` of an sObject Collections answer). */
export function causeOfSalesforce(statusCode: string): ErrorCause {
  const code = statusCode.trim().toUpperCase();
  return Object.hasOwn(SALESFORCE, code) ? SALESFORCE[code] : 'other';
}

const INTERCOM: Readonly<Record<string, ErrorCause>> = {
  not_found: 'not_found',
  // Intercom's 409 is "a contact matching those details already exists": a duplicate email or external_id.
  conflict: 'duplicate',
  unauthorized: 'permission',
  forbidden: 'permission',
  token_unauthorized: 'permission',
  parameter_invalid: 'invalid_value',
  parameter_not_found: 'invalid_value',
  type_mismatch: 'invalid_value',
  data_invalid: 'invalid_value',
  rate_limit_exceeded: 'rate_limited',
};

/** Cause of an Intercom refusal, by its error code when it gave one, else by HTTP status. */
export function causeOfIntercom(code: string | undefined, status?: number): ErrorCause {
  const byCode = code ? INTERCOM[code.trim().toLowerCase()] : undefined;
  if (byCode) return byCode;
  switch (status) {
    case 404:
      return 'not_found';
    case 409:
      return 'duplicate';
    case 401:
    case 403:
      return 'permission';
    case 429:
      return 'rate_limited';
    case 400:
    case 422:
      return 'invalid_value';
    default:
      return 'other';
  }
}
