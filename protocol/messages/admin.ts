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
