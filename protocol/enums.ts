// Each enum of the contract, spelled once: its values, its type and its schema.
import { z } from 'zod';

export const SF_OBJECTS = ['Lead', 'Contact'] as const;
export const SfObjectSchema = z.enum(SF_OBJECTS);
export type SfObject = z.infer<typeof SfObjectSchema>;

/** A mapping's one direction, and the direction of a change or a sync error. */
export const DIRECTIONS = ['salesforce_to_intercom', 'intercom_to_salesforce'] as const;
export const DirectionSchema = z.enum(DIRECTIONS);
export type Direction = z.infer<typeof DirectionSchema>;

/** The Salesforce API budget's tiers, from all allowed to nothing allowed. */
export const TIERS = ['normal', 'bulk_paused', 'event_paused', 'exhausted'] as const;
export const TierSchema = z.enum(TIERS);
export type Tier = z.infer<typeof TierSchema>;
