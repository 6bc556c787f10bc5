// Settings and email notifications.
import { z } from 'zod';
import { control, eventMessage, workMessage } from '../message.ts';
import { ActorNameSchema, nonNegInt } from './common.ts';
import { RunSchema } from './bulk.ts';

export const SettingsGet = control(
  'mapping',
  'settings.get',
  'The workspace settings and their revision',
  z.strictObject({}),
  z.strictObject({ settings: z.unknown().nullable(), revision: nonNegInt() }),
);
/** The settings body is validated against the live describe and data attributes; a refusal is an
 * error reply listing every problem. Saving during a bulk run needs confirmStopBulk. */
export const SettingsSave = control(
  'mapping',
  'settings.save',
  'Validate and store workspace settings',
  z.strictObject({ settings: z.unknown(), confirmStopBulk: z.boolean().default(false), savedBy: ActorNameSchema.default('unknown') }),
  z.strictObject({ revision: nonNegInt(), stoppedRun: z.string().nullable() }),
);

const PairKindSchema = z.enum(['text', 'boolean', 'number', 'date']).nullable();

/** A Salesforce field a mapping may name, from the live describe; `kind` is what it can pair with
 * (null: it cannot be mapped at all). */
export const SchemaFieldSchema = z.object({
  name: z.string(),
  label: z.string(),
  type: z.string(),
  updateable: z.boolean(),
  kind: PairKindSchema,
});
/** An Intercom contact attribute from the live data attributes. */
export const SchemaAttributeSchema = z.object({
  fullName: z.string(),
  label: z.string(),
  dataType: z.string(),
  writable: z.boolean(),
  kind: PairKindSchema,
});

export const SettingsSchemaShow = control(
  'mapping',
  'settings.schema',
  'The Salesforce fields and Intercom attributes mappings can name (live describe, charged as look-ups)',
  z.object({}),
  z.object({
    fields: z.object({ Lead: z.array(SchemaFieldSchema), Contact: z.array(SchemaFieldSchema) }),
    attributes: z.array(SchemaAttributeSchema),
  }),
);

export const SettingsSaved = eventMessage(
  'settings.saved.v1',
  'settings.saved',
  z.strictObject({
    revision: nonNegInt(),
    sfApiLimit: nonNegInt(),
    savedBy: z.string(),
    at: z.number(),
  }),
);

export const NotifyRunFinished = workMessage(
  'notify.run-finished.v1',
  'notify',
  z.strictObject({ run: RunSchema, to: z.string().max(320) }),
);
