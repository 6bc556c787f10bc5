// settings.get, settings.save and settings.schema. A save is checked against the live describe and
// data attributes and refused with every problem listed; nothing is stored unless all is well.
// Saving new mappings during a bulk run stops that run (it diffs with the old ones), so it needs
// a confirmation. The describe calls are look-ups a person asked for: class interactive, which a
// workspace without a limit yet may also lease (FIRST_RUN_CALLS), so a first save can be made.
import {
  BulkStop,
  ControlError,
  SettingsGet,
  SettingsSave,
  SettingsSaved,
  SettingsSchemaShow,
  type RequestOf,
  type ReplyOf,
  type WorkspaceSettings,
  CurrentRunSchema,
  Keys,
  RunSchema,
  kvValue,
} from '../../protocol/index.ts';
import { type ActorContext, type EndpointBinding, QuotaRefusedError, endpoint } from '../../runtime/index.ts';
import type { SfObject } from '../../connectors/index.ts';
import type { SchemaSource, ServiceSchema } from './service-schema.ts';
import { icKind, sfKind } from './type-pairs.ts';
import { readSettings, writeSettings } from '../domain/index.ts';
import { validateSettings, validateShape, type Problem } from './validate-settings.ts';
import { isDeepStrictEqual } from 'node:util';
import type { Uses } from '../services.ts';

/** What the settings endpoints read: both services' schemas, and the clock. */
export type SettingsDeps = Uses<'salesforce' | 'intercom' | 'now'>;

/** A person is waiting on a save: a describe this fresh is good enough to check against. */
export const SAVE_SCHEMA_MAX_AGE_MS = 15_000;

const ACTIVE = new Set(['running', 'paused']);

/** The id of the workspace's running or paused bulk run, if any. */
export async function activeRunId(ctx: ActorContext): Promise<string | null> {
  const kv = await ctx.kv('runs');
  // Values not of their schemas are handled as missing ones: no run is active.
  const runId = kvValue(CurrentRunSchema, (await kv.getRaw(Keys.currentRun(ctx.ws)))?.value)?.runId;
  if (runId === undefined) return null;
  const status = kvValue(RunSchema, (await kv.getRaw(Keys.run(ctx.ws, runId)))?.value)?.status;
  return status !== undefined && ACTIVE.has(status) ? runId : null;
}

/** Problems as one line for the error message; the full list travels in `details`. */
export function problemsMessage(problems: readonly Problem[]): string {
  const n = problems.length;
  const listed = problems.map((p) => p.message).join('; ');
  return `settings refused, nothing was saved: ${n} problem${n === 1 ? '' : 's'}: ${listed}`;
}

async function liveSchema(
  ctx: ActorContext<SettingsDeps>,
  schema: SchemaSource,
  maxAgeMs = SAVE_SCHEMA_MAX_AGE_MS,
): Promise<ServiceSchema> {
  try {
    return await schema.full(ctx, 'interactive', maxAgeMs);
  } catch (err) {
    const e = err as Error & { system?: string };
    if (err instanceof QuotaRefusedError) {
      throw new ControlError(
        'sf_budget_exhausted',
        `settings cannot be checked against Salesforce now: the API budget allows no calls (tier ${err.tier}); try again later`,
        { status: 503, cause: err },
      );
    }
    const system = e.system === 'intercom' ? 'Intercom' : e.system === 'salesforce' ? 'Salesforce' : 'Salesforce or Intercom';
    throw new ControlError(
      'schema_unavailable',
      `settings cannot be checked: reading the ${system} fields failed (${e.message}); nothing was saved`,
      { status: 503, cause: err },
    );
  }
}

async function stopRun(ctx: ActorContext, runId: string, by: string): Promise<void> {
  try {
    await ctx.request(BulkStop, { reason: 'settings_changed', by });
  } catch (err) {
    throw new ControlError(
      'bulk_stop_failed',
      `could not stop bulk run ${runId} before saving (${(err as Error).message}); nothing was saved`,
      { status: 503, cause: err },
    );
  }
}

function sameMappingPart(a: WorkspaceSettings, b: WorkspaceSettings): boolean {
  return isDeepStrictEqual(a.mappings, b.mappings) && isDeepStrictEqual(a.matching, b.matching);
}

export async function saveSettings(
  body: RequestOf<typeof SettingsSave>,
  ctx: ActorContext<SettingsDeps>,
  schema: SchemaSource,
): Promise<ReplyOf<typeof SettingsSave>> {
  const stored = await readSettings(await ctx.kv('settings'), ctx.ws);
  const shape = validateShape(body.settings);
  // Mappings and matching as stored: already checked against Salesforce, so no describe call is
  // needed (that is how a workspace at 100% of its budget raises its limit), and a bulk run goes on
  // (it diffs with exactly these mappings; a raised limit lets a paused run resume).
  const sameMappings = !!stored && shape.ok && sameMappingPart(shape.settings, stored.settings);
  const checked = sameMappings ? shape : validateSettings(body.settings, await liveSchema(ctx, schema));
  if (!checked.ok) {
    throw new ControlError('invalid_settings', problemsMessage(checked.problems), { status: 400, details: { problems: checked.problems } });
  }
  const running = sameMappings ? null : await activeRunId(ctx);
  if (running && !body.confirmStopBulk) {
    throw new ControlError(
      'bulk_running',
      `bulk run ${running} is in progress and saving settings stops it (a stopped run is never resumed); ` +
        'nothing was saved. To stop the run and save, send the save again with confirmStopBulk: true ' +
        '(peoplesync settings save FILE --confirm-stop-bulk)',
      { status: 409, details: { runId: running } },
    );
  }
  if (running) await stopRun(ctx, running, body.savedBy);
  const revision = await writeSettings(await ctx.kv('settings'), ctx.ws, checked.settings);
  // Later batches of this revision reload the schema rather than trust one cached before it.
  schema.newerRevision(revision);
  await ctx.publish(SettingsSaved, { revision, sfApiLimit: checked.settings.sfApiLimit, savedBy: body.savedBy, at: ctx.deps.now() });
  ctx.log.info({ revision, savedBy: body.savedBy, stoppedRun: running }, 'settings saved');
  return { revision, stoppedRun: running };
}

/** How old a describe the console's field lists may show: a field added in Salesforce shows within a minute. */
const CHOICES_MAX_AGE_MS = 60_000;

/** What a mapping may name: the live fields and attributes, each with the kind it pairs with. */
export async function schemaChoices(ctx: ActorContext<SettingsDeps>, schema: SchemaSource): Promise<ReplyOf<typeof SettingsSchemaShow>> {
  const live = await liveSchema(ctx, schema, CHOICES_MAX_AGE_MS);
  const fields = (o: SfObject) =>
    live.describe[o].fields.map((f) => ({ name: f.name, label: f.label, type: f.type, updateable: f.updateable, kind: sfKind(f.type) }));
  return {
    fields: { Lead: fields('Lead'), Contact: fields('Contact') },
    attributes: live.dataAttributes
      .filter((a) => !a.archived)
      .map((a) => ({ fullName: a.full_name, label: a.label, dataType: a.data_type, writable: a.api_writable, kind: icKind(a.data_type) })),
  };
}

/** The settings endpoints, answered with the workspace's schema source. */
export function settingsEndpoints(): EndpointBinding<{ schema: SchemaSource }, SettingsDeps>[] {
  return [
    endpoint(SettingsSchemaShow, (_body, ctx, { schema }) => schemaChoices(ctx, schema)),
    endpoint(SettingsGet, async (_body, ctx) => {
      const stored = await readSettings(await ctx.kv('settings'), ctx.ws);
      return { settings: stored?.settings ?? null, revision: stored?.revision ?? 0 };
    }),
    endpoint(SettingsSave, (body, ctx, { schema }) => saveSettings(body, ctx, schema)),
  ];
}
