// Settings and email notifications.
import { z } from 'zod';
import { control, eventMessage, workMessage } from '../message.ts';
import { nonNegInt } from './common.ts';
import { RunSchema } from './bulk.ts';

export const SettingsGet = control(
  'mapping',
  'settings.get',
  'The workspace settings and their revision',
  z.object({}),
  z.object({ settings: z.unknown().nullable(), revision: nonNegInt() }),
);
/** The settings body is validated against the live describe and data attributes; a refusal is an
 * error reply listing every problem. Saving during a bulk run needs confirmStopBulk. */
export const SettingsSave = control(
  'mapping',
  'settings.save',
  'Validate and store workspace settings',
  z.object({ settings: z.unknown(), confirmStopBulk: z.boolean().default(false), savedBy: z.string().default('unknown') }),
  z.object({ revision: nonNegInt(), stoppedRun: z.string().nullable() }),
);

export const SettingsSaved = eventMessage(
  'settings.saved.v1',
  'settings.saved',
  z.object({
    revision: nonNegInt(),
    sfApiLimit: nonNegInt(),
    savedBy: z.string(),
    at: z.number(),
  }),
);

export const NotifyRunFinished = workMessage('notify.run-finished.v1', 'notify', z.object({ run: RunSchema, to: z.string() }));
