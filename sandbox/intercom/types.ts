// Options, state and statistics of the Intercom sandbox. The wire shapes come from
// connectors/types.ts so the sandbox and the connector agree on them by construction.
import type { IcContact, IcDataAttribute, IcRole } from '../../connectors/types.ts';

export interface RateLimitOptions {
  /** Requests allowed per window (Intercom: 10,000 a minute = about 1,666 per 10 s). */
  limit: number;
  /** Window length; a whole number of seconds because X-RateLimit-Reset is in unix seconds. */
  windowMs: number;
}

export interface WebhookOptions {
  url: string;
  clientSecret: string;
  appId?: string;
  /** Also notify for changes made through the REST API (the real service does; off by default
   * so a sync test sees only the changes "users" make). */
  notifyApiUpdates?: boolean;
  /** Deliveries tried per event before giving up. */
  maxAttempts?: number;
}

export interface FaultOptions {
  /** Added to every API answer. */
  latencyMs?: number;
  /** Share (0..1) of API requests answered with `errorStatus`. */
  errorRate?: number;
  errorStatus?: number;
  /** Share (0..1) of API requests whose connection is destroyed without an answer. */
  dropRate?: number;
  /** The next N API requests get `errorStatus` (deterministic, for tests). */
  failNext?: number;
  /** The next N API requests get their connection destroyed. */
  dropNext?: number;
  /** Only requests whose path starts with this are affected. */
  pathPrefix?: string;
}

export type CustomAttributesMode = 'merge' | 'replace';

export interface IntercomSandboxOptions {
  /** 0 (default) picks a free port. */
  port: number;
  host: string;
  /** The bearer token the API accepts. */
  token: string;
  workspaceId: string;
  /** false turns rate limiting off. */
  rateLimit: RateLimitOptions | false;
  /** Milliseconds a created or updated contact stays invisible to search (index lag). */
  searchDelayMs: number;
  /** IANA time zone whose calendar days timestamp searches use. */
  timeZone: string;
  customAttributesMode: CustomAttributesMode;
  /** The contact data attributes served; defaults to the shared data model's. */
  dataAttributes: IcDataAttribute[];
  webhook?: WebhookOptions;
  faults?: FaultOptions;
  /** Seed state. */
  contacts?: Iterable<IcContact>;
  /** Seed for the fault dice and generated ids. */
  seed: number;
  /** Clock in milliseconds; tests may move time. */
  now: () => number;
}

/** Runtime-changeable settings (PUT /__admin/config). */
export interface SandboxConfigPatch {
  rateLimit?: RateLimitOptions | false;
  searchDelayMs?: number;
  customAttributesMode?: CustomAttributesMode;
  webhook?: WebhookOptions | null;
}

/** Fields a person changes "as a user would" (through the Messenger or the UI). */
export interface UserChange {
  role?: IcRole;
  email?: string | null;
  phone?: string | null;
  name?: string | null;
  external_id?: string | null;
  custom_attributes?: Record<string, unknown>;
  unsubscribed_from_emails?: boolean;
  last_seen_at?: number | null;
}

export interface SandboxStats {
  /** Calls by endpoint, e.g. "PUT /contacts/{id}". */
  calls: Record<string, number>;
  /** Answers by HTTP status. */
  statuses: Record<string, number>;
  rateLimited: number;
  faultsInjected: number;
  connections: number;
  webhooksDelivered: number;
  webhooksFailed: number;
}

export interface ContactCounts {
  total: number;
  user: number;
  lead: number;
}
