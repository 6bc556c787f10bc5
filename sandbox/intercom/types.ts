// Options, state, statistics and the public face of the Intercom sandbox. Wire shapes are the
// sandbox's own (wire.ts), written from the service's description.
import type { ContactRole, DataAttribute, StoredContact } from './wire.ts';

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
  /** Always on, as on the service: every answer carries X-RateLimit-* headers. */
  rateLimit: RateLimitOptions;
  /** Milliseconds a created or updated contact stays invisible to search (the index lag the
   * description warns of: "a few minutes"). */
  searchDelayMs: number;
  /** IANA time zone whose calendar days timestamp searches use. */
  timeZone: string;
  customAttributesMode: CustomAttributesMode;
  /** The contact data attributes served; defaults to the shared data model's. */
  dataAttributes: DataAttribute[];
  webhook?: WebhookOptions;
  faults?: FaultOptions;
  /** Seed state. */
  contacts?: Iterable<Partial<StoredContact>>;
  /** Seed for the fault dice and generated ids. */
  seed: number;
  /** Clock in milliseconds; tests may move time. */
  now: () => number;
}

/** Runtime-changeable settings (PUT /__admin/config). */
export interface SandboxConfigPatch {
  rateLimit?: RateLimitOptions;
  searchDelayMs?: number;
  customAttributesMode?: CustomAttributesMode;
  webhook?: WebhookOptions | null;
}

/** Fields a person changes "as a user would" (through the Messenger or the UI). */
export interface UserChange {
  role?: ContactRole;
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
  /** When each endpoint was last called (epoch ms, the host's clock, as the request came in). */
  lastCallAt: Record<string, number>;
  /** Answers by HTTP status. */
  statuses: Record<string, number>;
  rateLimited: number;
  faultsInjected: number;
  connections: number;
  webhooksDelivered: number;
  webhooksFailed: number;
  /** HEAD requests sent to validate a webhook URL, and how many the URL refused. */
  webhookValidations: number;
  webhookValidationsFailed: number;
}

export interface ContactCounts {
  total: number;
  user: number;
  lead: number;
}

/** The sandbox as a test or the CLI holds it. */
export interface IntercomSandbox {
  /** Base URL, e.g. http://127.0.0.1:43121 (no trailing slash). */
  readonly url: string;
  readonly port: number;
  readonly token: string;
  readonly workspaceId: string;
  close(): Promise<void>;
  getContact(id: string): StoredContact | undefined;
  contacts(): StoredContact[];
  counts(): ContactCounts;
  /** Creates contacts from partial records (missing fields get defaults, ids are generated); each
   * stays invisible to search for `searchDelayMs`; with notify, fires `contact.*.created`. */
  createContacts(partials: Iterable<Partial<StoredContact>>, opts?: { notify?: boolean }): StoredContact[];
  /** Adds contacts that existed before the sandbox started (a generator's output, a dump, a copy
   * of real data): visible to search at once, no webhooks; missing fields and ids are filled in. */
  seed(contacts: Iterable<Partial<StoredContact>>): number;
  /** Changes a contact as a person would: bumps updated_at, fires webhooks. */
  userChange(id: string, change: UserChange): StoredContact;
  /** Deletes a contact as a person would in the UI: fires `contact.deleted`. */
  userDelete(id: string): void;
  /** Merges a lead into a user as a person would in the UI: fires `contact.merged`. */
  userMerge(fromLeadId: string, intoUserId: string): StoredContact;
  /** Moves the sandbox's clock (search lag, updated_at, rate-limit windows). */
  advanceClock(ms: number): void;
  /** Custom data attributes added or changed at run time (a schema file, an admin in the UI). */
  defineAttributes(attributes: readonly DataAttribute[]): void;
  dataAttributes(): DataAttribute[];
  loadNdjson(text: string, opts?: { append?: boolean }): number;
  dumpNdjson(): string;
  faults(): FaultOptions | undefined;
  setFaults(faults: FaultOptions | undefined): void;
  configure(patch: SandboxConfigPatch): void;
  stats(): SandboxStats;
  resetStats(): void;
  /** Resolves when the webhook URL's validation and every delivery in flight have finished. */
  drainWebhooks(): Promise<void>;
}
