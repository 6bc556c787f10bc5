import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_MAPPINGS, defaultSettings } from '../../actors/mapping/index.ts';
import { runBin, runMain } from '../helpers/cli.ts';
import {
  ControlError,
  Headers,
  type Mapping,
  type Run,
  RunSchema,
  SettingsGet,
  SettingsSave,
  SettingsSaved,
  type WorkspaceSettings,
  decodeMessage,
  subject,
  Keys,
} from '../../protocol/index.ts';

import { defaultDataAttributes } from '../../sandbox/index.ts';
import type { TestHost } from '../helpers/host.ts';
import { startSystem, type TestSystem } from '../helpers/system.ts';
import { WS, emptyRecord, makeRun, putRun, startTestActors, type Recorded } from './mapping-helpers.ts';

let sys: TestSystem;
let actors: TestHost;
let rec: Recorded;
let dir: string;
const saved: { revision: number; sfApiLimit: number; savedBy: string }[] = [];

beforeAll(async () => {
  sys = await startSystem({
    generator: { people: 20 },
    intercom: {
      dataAttributes: [
        ...defaultDataAttributes(),
        {
          name: 'tier',
          full_name: 'custom_attributes.tier',
          label: 'Tier',
          data_type: 'string',
          custom: true,
          archived: false,
          api_writable: true,
          options: ['Free', 'Gold'],
        },
        {
          name: 'locked',
          full_name: 'custom_attributes.locked',
          label: 'Locked',
          data_type: 'string',
          custom: true,
          archived: false,
          api_writable: false,
        },
      ],
    },
  });
  rec = emptyRecord();
  actors = await startTestActors(sys, rec);
  await sys.startWorker(['mapping']);
  sys.nc.subscribe(subject('peoplesync', { kind: 'evt', ws: WS, topic: SettingsSaved.topic }), {
    callback: (_err, m) => {
      const { body } = decodeMessage(m.headers?.get(Headers.type), m.data, m.headers?.get(Headers.contentType));
      saved.push(body as (typeof saved)[number]);
    },
  });
  dir = await mkdtemp(join(tmpdir(), 'ps-settings-'));
});

afterAll(async () => {
  await actors?.stop();
  await sys?.stop();
  if (dir) await rm(dir, { recursive: true, force: true });
});

const request = (def: typeof SettingsSave | typeof SettingsGet, body: Record<string, unknown>) =>
  actors.host.messenger.request(def as typeof SettingsSave, WS, body as never, 20_000);

async function refusal(settings: unknown, extra: Record<string, unknown> = {}): Promise<ControlError> {
  const err = await request(SettingsSave, { settings, ...extra }).then(
    () => null,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(ControlError);
  return err as ControlError;
}

async function storedRevision(): Promise<number> {
  return (await actors.host.messenger.request(SettingsGet, WS, {})).revision;
}

type Problem = { path: string; code: string; message: string };
const problemsOf = (e: ControlError) => (e.details as { problems: Problem[] }).problems;
const withMappings = (...extra: Mapping[]): WorkspaceSettings => defaultSettings({ mappings: [...DEFAULT_MAPPINGS, ...extra] });
const m = (id: string, sfObject: 'Lead' | 'Contact', sfField: string, icAttribute: string, direction: Mapping['direction']): Mapping => ({
  id,
  sfObject,
  sfField,
  icAttribute,
  direction,
});

// Each kind of invalid settings, as a change to the defaults, with the problems it must raise.
const CASES: { name: string; settings: () => unknown; codes: string[] }[] = [
  {
    name: 'bad shape: negative limit and an unknown key',
    codes: ['invalid_shape', 'invalid_shape'],
    settings: () => ({ ...defaultSettings(), sfApiLimit: -5, pollInterval: 60 }),
  },
  {
    name: 'unknown Salesforce field',
    codes: ['unknown_sf_field'],
    settings: () => withMappings(m('x1', 'Lead', 'Nope__c', 'custom_attributes.department', 'salesforce_to_intercom')),
  },
  {
    name: 'Salesforce field not writable',
    codes: ['sf_field_not_writable'],
    settings: () => withMappings(m('x2', 'Lead', 'CreatedDate', 'custom_attributes.last_login', 'intercom_to_salesforce')),
  },
  {
    name: 'unknown Intercom attribute',
    codes: ['unknown_ic_attribute'],
    settings: () => withMappings(m('x3', 'Contact', 'Description', 'custom_attributes.notes', 'salesforce_to_intercom')),
  },
  {
    name: 'Intercom attribute not writable through the API',
    codes: ['ic_attribute_not_writable'],
    settings: () => withMappings(m('x4', 'Lead', 'Description', 'custom_attributes.locked', 'salesforce_to_intercom')),
  },
  {
    name: 'incompatible types',
    codes: ['incompatible_types'],
    settings: () => withMappings(m('x5', 'Contact', 'Description', 'custom_attributes.score', 'salesforce_to_intercom')),
  },
  {
    name: 'Intercom options missing from the picklist',
    codes: ['unknown_picklist_value', 'unknown_picklist_value'],
    settings: () => withMappings(m('x6', 'Lead', 'Status', 'custom_attributes.tier', 'intercom_to_salesforce')),
  },
  {
    name: 'duplicate mapping id',
    codes: ['duplicate_mapping_id'],
    settings: () =>
      withMappings(m(DEFAULT_MAPPINGS[0].id, 'Contact', 'Description', 'custom_attributes.company', 'salesforce_to_intercom')),
  },
  {
    name: 'two mappings write one field',
    codes: ['duplicate_target'],
    settings: () => withMappings(m('x8', 'Lead', 'Phone', 'custom_attributes.city', 'intercom_to_salesforce')),
  },
  {
    name: 'one pair mapped both ways',
    codes: ['both_directions'],
    settings: () => withMappings(m('x9', 'Lead', 'Title', 'custom_attributes.job_title', 'intercom_to_salesforce')),
  },
  {
    name: 'matching key of the wrong type and an unknown field',
    codes: ['incompatible_types', 'unknown_sf_field', 'unknown_sf_field'],
    settings: () =>
      defaultSettings({ matching: { key: { icAttribute: 'custom_attributes.score', sfField: 'Nope__c' }, duplicatePolicy: 'error' } }),
  },
  { name: 'not an object at all', codes: ['invalid_shape'], settings: () => 'mappings: []' },
];

describe('settings save', () => {
  it.each(CASES)('refuses $name, listing its problems, and stores nothing', async ({ settings, codes }) => {
    const before = await storedRevision();
    const e = await refusal(settings());
    expect(e.code).toBe('invalid_settings');
    expect(e.status).toBe(400);
    expect(
      problemsOf(e)
        .map((p) => p.code)
        .sort(),
    ).toEqual([...codes].sort());
    for (const p of problemsOf(e)) expect(e.message).toContain(p.message);
    expect(await storedRevision()).toBe(before);
  });

  it('lists every problem of a save that has all of them at once', async () => {
    const before = await storedRevision();
    const extra = CASES.slice(1, 10).flatMap((c) => (c.settings() as WorkspaceSettings).mappings.slice(DEFAULT_MAPPINGS.length));
    const all = {
      ...defaultSettings({
        mappings: [...DEFAULT_MAPPINGS, ...extra],
        matching: { key: { icAttribute: 'custom_attributes.score', sfField: 'Nope__c' }, duplicatePolicy: 'error' },
      }),
      sfApiLimit: -5,
      pollInterval: 60,
    };
    const e = await refusal(all);
    const expected = CASES.slice(0, 11)
      .flatMap((c) => c.codes)
      .sort();
    expect(
      problemsOf(e)
        .map((p) => p.code)
        .sort(),
    ).toEqual(expected);
    expect(problemsOf(e).find((p) => p.code === 'unknown_sf_field')?.path).toMatch(/^mappings\.\d+\.sfField$|^matching\.key\.sfField$/);
    expect(await storedRevision()).toBe(before);
  });

  it('stores valid settings with increasing revisions, announces each save and reads back what was saved', async () => {
    const first = await request(SettingsSave, { settings: defaultSettings({ sfApiLimit: 1_000 }), savedBy: 'ann' });
    const second = await request(SettingsSave, {
      settings: defaultSettings({ sfApiLimit: 2_000, timeZone: 'Europe/Berlin' }),
      savedBy: 'bob',
    });
    expect(first.stoppedRun).toBeNull();
    expect(second.revision).toBeGreaterThan(first.revision);
    const got = await actors.host.messenger.request(SettingsGet, WS, {});
    expect(got.revision).toBe(second.revision);
    expect(got.settings).toEqual(defaultSettings({ sfApiLimit: 2_000, timeZone: 'Europe/Berlin' }));
    await expect
      .poll(() => saved.filter((s) => s.revision >= first.revision).map((s) => [s.revision, s.sfApiLimit, s.savedBy]))
      .toEqual([
        [first.revision, 1_000, 'ann'],
        [second.revision, 2_000, 'bob'],
      ]);
  });

  it('refuses a save that changes mappings during an active run without the confirmation, and stops the run with it', async () => {
    // One mapping fewer: the run would go on with mappings that are no longer the settings'.
    const changed = () => defaultSettings({ sfApiLimit: 3_000, mappings: DEFAULT_MAPPINGS.slice(1) });
    for (const status of ['running', 'paused'] as const) {
      await request(SettingsSave, { settings: defaultSettings(), confirmStopBulk: true });
      const runId = `run-${status}`;
      await putRun(sys, makeRun(runId, status, 1));
      const before = await storedRevision();
      rec.stops.length = 0;
      const e = await refusal(changed());
      expect(e).toMatchObject({ code: 'bulk_running', status: 409, details: { runId } });
      expect(e.message).toMatch(/stops it/);
      expect(e.message).toMatch(/confirmStopBulk/);
      expect(e.message).toMatch(/--confirm-stop-bulk/);
      expect(await storedRevision()).toBe(before);
      expect(rec.stops).toEqual([]);

      // Invalid settings are refused first: the run goes on even with the confirmation.
      const invalid = await refusal({ ...defaultSettings(), sfApiLimit: 0 }, { confirmStopBulk: true });
      expect(invalid.code).toBe('invalid_settings');
      expect(rec.stops).toEqual([]);

      const r = await request(SettingsSave, { settings: changed(), confirmStopBulk: true, savedBy: 'cy' });
      expect(r.stoppedRun).toBe(runId);
      expect(r.revision).toBeGreaterThan(before);
      expect(rec.stops).toEqual([{ reason: 'settings_changed', by: 'cy' }]);
      const stored = await (await sys.kv('runs')).get(Keys.run(WS, runId), RunSchema);
      expect((stored?.value as Run).status).toBe('stopped');
    }
  });

  it('saves a new limit during an active run without stopping it: the run keeps its mappings', async () => {
    await request(SettingsSave, { settings: defaultSettings(), confirmStopBulk: true });
    await putRun(sys, makeRun('run-limit', 'paused', 1));
    rec.stops.length = 0;
    const r = await request(SettingsSave, { settings: defaultSettings({ sfApiLimit: 50_000 }), savedBy: 'dee' });
    expect(r.stoppedRun).toBeNull();
    expect(rec.stops).toEqual([]);
    expect((await (await sys.kv('runs')).get(Keys.run(WS, 'run-limit'), RunSchema))?.value.status).toBe('paused');
    await putRun(sys, makeRun('run-limit', 'completed', 1));
  });

  it('saves without confirmation once the run has ended', async () => {
    await putRun(sys, makeRun('run-done', 'completed', 1));
    rec.stops.length = 0;
    const r = await request(SettingsSave, { settings: defaultSettings() });
    expect(r.stoppedRun).toBeNull();
    expect(rec.stops).toEqual([]);
  });

  it('peoplesync settings save/get from the command line', async () => {
    const cfg = join(dir, 'config.json');
    await writeFile(cfg, JSON.stringify(sys.config));
    const good = join(dir, 'good.json');
    const bad = join(dir, 'bad.json');
    await writeFile(good, JSON.stringify(defaultSettings({ sfApiLimit: 4_321 })));
    await writeFile(
      bad,
      JSON.stringify(
        withMappings(
          m('x3', 'Contact', 'Description', 'custom_attributes.notes', 'salesforce_to_intercom'),
          m('x1', 'Lead', 'Nope__c', 'custom_attributes.department', 'salesforce_to_intercom'),
        ),
      ),
    );
    const cli = (...args: string[]) => runBin(['settings', ...args, '--config', cfg]);

    const refused = await cli('save', bad);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/settings refused, nothing was saved \(2 problems\)/);
    // Mappings are named by their id, each place once.
    expect(refused.stderr).toContain('\n  mapping "x3" icAttribute: Intercom has no contact attribute "custom_attributes.notes"\n');
    expect(refused.stderr).toContain('\n  mapping "x1" sfField: Salesforce Lead has no field "Nope__c"\n');
    expect(refused.stderr).not.toMatch(/mappings\.\d/);

    const before = await storedRevision();
    const ok = await cli('save', good);
    expect(ok.code).toBe(0);
    expect(ok.stdout.trim()).toBe(`saved settings revision ${before + 1}`);

    const got = await cli('get', '--json');
    expect(got.code).toBe(0);
    expect(JSON.parse(got.stdout)).toMatchObject({ revision: before + 1, settings: { sfApiLimit: 4_321 } });

    // Usage mistakes are refused before connecting to anything.
    expect(await runMain(['settings', 'save'])).toMatchObject({
      code: 2,
      stderr: expect.stringMatching(/missing required argument 'file'/),
    });
    expect(await runMain(['settings', 'put', good])).toMatchObject({ code: 2, stderr: expect.stringMatching(/unknown command 'put'/) });
    await writeFile(bad, '{ "mappings": [');
    expect(await runMain(['settings', 'save', bad, '--config', cfg])).toMatchObject({
      code: 2,
      stderr: expect.stringMatching(/settings file .*bad\.json is not valid JSON/),
    });
  });
});
