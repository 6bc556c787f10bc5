// Workspace settings: which attributes sync in which direction, how records are matched, and the
// Salesforce API budget. This schema checks shape only; whether the fields exist, are writable and
// have compatible types is checked against the live describe by the mapping actor, which reports
// every problem at once. Objects are strict: a misspelt key is reported rather than dropped, so a
// setting a person typed never silently goes missing.
import { z } from 'zod';

import { DirectionSchema, type Direction, SfObjectSchema } from './enums.ts';

/** A mapping's direction is the contract's one direction enum. */
export const MappingDirectionSchema = DirectionSchema;
export type MappingDirection = Direction;

/** The shortest poll interval a workspace may set (see pollIntervalSeconds). */
export const MIN_POLL_INTERVAL_SECONDS = 300;

/** Prefix of a custom Intercom attribute, as Intercom's own `full_name` spells it. */
export const IC_CUSTOM_PREFIX = 'custom_attributes.';

const STANDARD_ATTRIBUTE = /^[a-z][a-z0-9_]*$/;

/**
 * An Intercom contact attribute, named exactly as the `full_name` of GET /data_attributes:
 * a standard field by its plain name (`name`, `phone`, `email`, `external_id`) or a custom one as
 * `custom_attributes.<name>` (e.g. `custom_attributes.plan`). Using Intercom's own spelling keeps
 * the lookup a plain equality and leaves no doubt which of the two kinds is meant.
 */
export const IcAttributeNameSchema = z
  .string()
  .min(1, 'must not be empty')
  .refine(
    (s) =>
      s.startsWith(IC_CUSTOM_PREFIX)
        ? s.length > IC_CUSTOM_PREFIX.length && !s.slice(IC_CUSTOM_PREFIX.length).includes('.')
        : STANDARD_ATTRIBUTE.test(s),
    { message: `must be a standard Intercom field name (e.g. "phone") or "${IC_CUSTOM_PREFIX}<name>"` },
  );

/** Salesforce API names: letters, digits, underscores; custom ones end in __c. */
export const SfFieldNameSchema = z.string().regex(/^[A-Za-z][A-Za-z0-9_]*$/, 'must be a Salesforce API name such as "Title" or "Plan__c"');

export const MappingSchema = z.strictObject({
  id: z.string().min(1, 'must not be empty').max(100),
  sfObject: SfObjectSchema,
  sfField: SfFieldNameSchema,
  icAttribute: IcAttributeNameSchema,
  direction: MappingDirectionSchema,
});
export type Mapping = z.infer<typeof MappingSchema>;

/** Match on a pair of attributes instead of email, e.g. Intercom external_id holding the Salesforce Id. */
export const MatchingKeyPairSchema = z.strictObject({ icAttribute: IcAttributeNameSchema, sfField: SfFieldNameSchema });

export const MatchingSchema = z.strictObject({
  key: z.union([z.literal('email'), MatchingKeyPairSchema]).default('email'),
  /** Two Intercom contacts share a key: report a sync error ('error') or leave the record alone ('skip'). */
  duplicatePolicy: z.enum(['error', 'skip']).default('error'),
});
export type Matching = z.infer<typeof MatchingSchema>;

function isTimeZone(tz: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}

export const TimeZoneSchema = z.string().refine(isTimeZone, { message: 'must be an IANA time zone such as "UTC" or "Europe/Berlin"' });

/** The name under which the secret is found (an env var or secret-store key), never the secret. */
export const SecretRefSchema = z
  .string()
  .regex(
    /^[A-Za-z_][A-Za-z0-9_]{0,127}$/,
    'must be the NAME of an environment variable or secret (letters, digits, underscores), not the secret itself',
  );

export const WorkspaceSettingsSchema = z.strictObject({
  mappings: z.array(MappingSchema),
  matching: MatchingSchema.default({ key: 'email', duplicatePolicy: 'error' }),
  /** The workspace's own daily budget of Salesforce API calls (the "defined limit"). */
  sfApiLimit: z.number().int('must be a whole number of calls').positive('must be positive'),
  /** How often Salesforce is polled for changes. Never more often than every 5 minutes, the
   * article's "Intercom checks Salesforce for any changes ... every 5 minutes": change events bring
   * changes in near real time, and the poll is the safety net, one call a tick. */
  pollIntervalSeconds: z.number().int().min(MIN_POLL_INTERVAL_SECONDS, 'must be at least 300 seconds (5 minutes)').default(300),
  installerEmail: z.email('must be an email address'),
  timeZone: TimeZoneSchema.default('UTC'),
  intercomWebhookSecretRef: SecretRefSchema,
  /** Base URL of the settings page, used for links in emails. */
  appUrl: z.url().optional(),
});
/** Accepts the wire form (defaults may be missing) and yields the full settings. */
export const WorkspaceSettings = WorkspaceSettingsSchema;
export type WorkspaceSettings = z.infer<typeof WorkspaceSettingsSchema>;
export type WorkspaceSettingsInput = z.input<typeof WorkspaceSettingsSchema>;

/**
 * Saving settings. `settings` stays unknown here on purpose: the mapping actor validates its shape
 * and its fit with the live describe in one step, so a refusal lists every problem at once.
 * Saving new mappings or matching during a bulk run stops it (the run diffs with the old ones), and
 * needs `confirmStopBulk`; a save that keeps them (a new limit, interval or email) leaves it going.
 */
export const SaveSettingsRequestSchema = z.object({
  settings: z.unknown(),
  confirmStopBulk: z.boolean().optional(),
});
export const SaveSettingsRequest = SaveSettingsRequestSchema;
export type SaveSettingsRequest = z.infer<typeof SaveSettingsRequestSchema>;
