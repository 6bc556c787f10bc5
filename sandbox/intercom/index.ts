// Public face of the Intercom sandbox.
export { startIntercomSandbox, DEFAULT_RATE_LIMIT, DEFAULT_SEARCH_DELAY_MS, HIGH_RATE_LIMIT } from './sandbox.ts';
export { defaultDataAttributes, customAttribute } from './data-attributes.ts';
export { signBody, topicsFor, type ContactTopic } from './webhooks.ts';
export { compileQuery, MAX_GROUP_DEPTH, MAX_GROUP_SIZE, type CompileResult, type SearchProblem } from './search.ts';
export { dayStart, nextDayStart } from './calendar.ts';
export { WindowLimiter, rateLimitMessage, type RateLimitVerdict } from './rate-limit.ts';
export { SandboxConflictError, SandboxInputError, SandboxNotFoundError } from './errors.ts';
export type {
  ContactCounts,
  CustomAttributesMode,
  FaultOptions,
  IntercomSandbox,
  IntercomSandboxOptions,
  RateLimitOptions,
  SandboxConfigPatch,
  SandboxStats,
  UserChange,
  WebhookOptions,
} from './types.ts';
export type { AttributeDataType, ContactLocation, ContactRole, DataAttribute, StoredContact } from './wire.ts';
