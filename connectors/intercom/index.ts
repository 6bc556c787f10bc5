// Public face of the Intercom connector.
export { createIntercomClient } from './client.ts';
export { RatePacer, readRateHeaders, type PacerOptions, type RateHeaders } from './pacer.ts';
export {
  MAX_PER_PAGE,
  UPDATED_SINCE_OVERLAP_S,
  freshOnly,
  patchBody,
  toIcContact,
  toIcDataAttributes,
  toIcPage,
  updatedSinceQuery,
} from './convert.ts';
export { errorForStatus, errorForTransport, parseErrorBody, redact } from './error-map.ts';
export type { TransportKind } from './transport.ts';
export type { IntercomClient, IntercomClientOptions, IntercomLogger, RateLimitState, UpdateOptions } from './types.ts';
