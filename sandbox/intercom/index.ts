// Public face of the Intercom sandbox.
export { startIntercomSandbox, DEFAULT_RATE_LIMIT, type IntercomSandbox } from './sandbox.ts';
export { defaultDataAttributes } from './data-attributes.ts';
export { signBody, topicsFor, type ContactTopic } from './webhooks.ts';
export { compileQuery, MAX_GROUP_DEPTH, MAX_GROUP_SIZE, type CompileResult, type SearchProblem } from './search.ts';
export { dayStart, nextDayStart } from './calendar.ts';
export { WindowLimiter, rateLimitMessage, type RateLimitVerdict } from './rate-limit.ts';
export { SandboxConflictError, SandboxInputError, SandboxNotFoundError } from './errors.ts';
export type {
  ContactCounts,
  CustomAttributesMode,
  FaultOptions,
  IntercomSandboxOptions,
  RateLimitOptions,
  SandboxConfigPatch,
  SandboxStats,
  UserChange,
  WebhookOptions,
} from './types.ts';
