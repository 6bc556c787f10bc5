// The Salesforce API budget: token leases, usage reports, tiers and the usage indicator.
import { z } from 'zod';
import { control, eventMessage, workMessage } from '../message.ts';
import { WorkClassSchema, nonNegInt } from './common.ts';

export const TierSchema = z.enum(['normal', 'bulk_paused', 'event_paused', 'exhausted']);
export type Tier = z.infer<typeof TierSchema>;

export const QuotaAcquire = control(
  'quota',
  'quota.acquire',
  'Lease Salesforce API tokens for a class of work',
  z.strictObject({ cls: WorkClassSchema, n: z.number().int().positive().max(10_000), holder: z.string().default('') }),
  z.strictObject({
    grantId: z.string().nullable(),
    granted: nonNegInt(),
    tier: TierSchema,
    /** When granted is 0: when to ask again. */
    retryAfterMs: nonNegInt(),
  }),
);

/** Unspent tokens of a lease go back; calls made beyond it are reported as usage. */
export const QuotaRelease = workMessage(
  'quota.release.v1',
  'quota',
  z.strictObject({
    grantId: z.string(),
    unused: nonNegInt(),
    at: z.number(),
  }),
);

/** Calls made without a lease (or beyond it), and what Salesforce said of the org's use. */
export const QuotaUsage = workMessage(
  'quota.usage.v1',
  'quota',
  z.strictObject({
    calls: nonNegInt(),
    orgUsed: nonNegInt().optional(),
    orgMax: nonNegInt().optional(),
    limitExceeded: z.boolean().default(false),
    at: z.number(),
  }),
);

export const UsageIndicatorSchema = z.strictObject({
  ws: z.string(),
  orgLimit: nonNegInt().nullable(),
  orgUsed: nonNegInt().nullable(),
  definedLimit: nonNegInt(),
  usedByWorkspace: nonNegInt(),
  usedByOthers: nonNegInt().nullable(),
  remaining: nonNegInt(),
  consumptionPercent: z.number(),
  tier: TierSchema,
  orgExhausted: z.boolean(),
  warning: z.string().nullable(),
  at: z.number(),
});
export type UsageIndicator = z.infer<typeof UsageIndicatorSchema>;

export const QuotaUsageShow = control(
  'quota',
  'quota.usage',
  'The Salesforce API usage indicator',
  z.strictObject({}),
  UsageIndicatorSchema,
);

export const TierChanged = eventMessage(
  'quota.tier-changed.v1',
  'quota.tier',
  z.strictObject({
    tier: TierSchema,
    previous: TierSchema,
    consumptionPercent: z.number(),
    at: z.number(),
  }),
);
export const UsageReported = eventMessage('quota.usage-reported.v1', 'quota.usage', UsageIndicatorSchema);
