// The Salesforce connector (jsforce): the only code that talks to Salesforce.
export { createSalesforceClient, MAX_UPDATE_BATCH } from './client.ts';
export type {
  SalesforceAuth,
  SalesforceClient,
  SalesforceClientOptions,
  RetryPolicy,
  SfPage,
  SfChangePage,
  SfChangeRequest,
  SfChangesTogether,
  SfLookup,
  SfLimits,
  SfLimit,
} from './types.ts';
export { signJwtAssertion, JWT_BEARER_GRANT } from './auth.ts';
export { keysetQuery, changesQuery, idsQuery, fieldValuesQuery, soqlString, soqlDateTime } from './soql-builder.ts';
export { backoffDelay, DEFAULT_RETRY } from './retry.ts';
export { parseLimitInfo } from './transport.ts';
export { MAX_COMPOSITE_QUERIES, lookupCalls } from './changes.ts';
export { CHANGE_EVENTS_CHANNEL, type SfChangeEvent, type ChangeEventOptions, type ChangeSubscription } from './streaming.ts';
