// What a failed write means for the people who own the data: the sync-error cause for a
// Salesforce per-record statusCode or an Intercom error, and the details worth keeping. Pure.
import { ConnectorError, type ConnectorFailureKind, type ErrorCause } from '../../protocol/index.ts';
import { causeOfSalesforce } from '../errors/index.ts';
import type { SfRecordError } from '../../connectors/types.ts';

export interface SfFailureSummary {
  cause: ErrorCause;
  message: string;
  /** The fields Salesforce named, or every field sent when it named none. */
  attributes: string[];
  details: { statusCode: string; message: string; fields: string[]; errors: SfRecordError[] };
}

/** One record's failed update, told by its first error (all of them stay in details). */
export function summariseSfFailure(errors: readonly SfRecordError[], sentFields: readonly string[]): SfFailureSummary {
  const first = errors[0] ?? { statusCode: 'UNKNOWN_ERROR', message: 'Salesforce reported failure without an error', fields: [] };
  const fields = [...new Set(errors.flatMap((e) => e.fields ?? []))];
  return {
    cause: causeOfSalesforce(first.statusCode),
    message: errors.length > 1 ? errors.map((e) => `${e.statusCode}: ${e.message}`).join('; ') : `${first.statusCode}: ${first.message}`,
    attributes: fields.length > 0 ? fields : [...sentFields],
    details: { statusCode: first.statusCode, message: first.message, fields: first.fields ?? [], errors: [...errors] },
  };
}

/** Per-record refusals a describe should have foreseen: the org's schema changed since it was read
 * (a restricted picklist's values, a field's length, a field no longer writable). */
const SCHEMA_CODES: ReadonlySet<string> = new Set([
  'INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST',
  'STRING_TOO_LONG',
  'INVALID_FIELD_FOR_INSERT_UPDATE',
  'INVALID_FIELD',
]);

export function signalsSchemaChange(errors: readonly SfRecordError[]): boolean {
  return errors.some((e) => SCHEMA_CODES.has(e.statusCode));
}

/** The sync-error cause of an Intercom per-contact error, or null when the error is not about
 * the contact (network, rate limit, credentials, a withdrawn call) and the whole item must be
 * retried or parked. Read from the kind `classifyIntercom` gave the answer's status. */
const IC_CAUSES: Partial<Record<ConnectorFailureKind, ErrorCause>> = {
  not_found: 'not_found',
  conflict: 'duplicate',
  invalid: 'invalid_value',
};

export function icErrorCause(err: unknown): ErrorCause | null {
  if (!(err instanceof ConnectorError) || err.system !== 'intercom') return null;
  return IC_CAUSES[err.kind] ?? null;
}
