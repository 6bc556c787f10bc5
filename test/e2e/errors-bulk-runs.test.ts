// A record that fails the same way in two bulk runs is one sync error with two attempts, naming
// the later run. Needs the whole bulk pipeline: coordinator, polling, matching, mapping, writer.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { IcContact, SfRecord } from '../../connectors/index.ts';
import { BulkStart, BulkStatus, ErrorsList, type SyncError } from '../../protocol/index.ts';
import type { Messenger } from '../../runtime/index.ts';
import { type GeneratorOptions, generatePeople } from '../../sandbox/index.ts';
import { waitFor } from '../helpers/host.ts';
import { type TestSystem, WS, startSystem } from '../helpers/system.ts';
import { messenger } from '../integration/errors-helpers.ts';

const GEN: GeneratorOptions = { seed: 7, people: 80, differingShare: 0.5 };
const MESSAGE = 'Phone cannot be changed by integrations on this record';

let sys: TestSystem;
let m: Messenger;

/** A Contact whose phone Intercom holds differently: every bulk run writes it. */
const target = [...generatePeople(GEN)].find(
  (x) =>
    x.meta.kind === 'in-common' &&
    !x.meta.both &&
    !x.meta.duplicate &&
    x.meta.odd === null &&
    x.contact &&
    !x.lead &&
    x.intercom?.length === 1 &&
    x.intercom[0].role === 'user' &&
    x.meta.differing.includes('phone'),
);

beforeAll(async () => {
  if (!target) throw new Error('the generated data set has no Contact with a differing phone: change GEN');
  sys = await startSystem({ generator: GEN });
  await sys.startWorker(['quota', 'errors', 'coordinator', 'polling', 'matching', 'mapping', 'writer']);
  m = messenger(sys.nc);
}, 60_000);
afterAll(async () => {
  await sys?.stop();
});

async function runToEnd(): Promise<string> {
  const started = await waitFor(() => m.request(BulkStart, WS, { startedBy: 'e2e' }).catch(() => null), { what: 'a bulk run to start' });
  const runId = started.run.runId;
  const done = await waitFor(
    async () => {
      const r = (await m.request(BulkStatus, WS, {})).run;
      return r && r.runId === runId && r.status !== 'running' && r.status !== 'paused' ? r : null;
    },
    { what: `run ${runId} to finish`, timeoutMs: 60_000 },
  );
  expect(done.status).toBe('completed');
  expect(done.counts.failed).toBeGreaterThanOrEqual(1);
  return runId;
}

describe('sync errors across bulk runs', () => {
  it('keeps one error for a record that fails the same way in two runs', async () => {
    const sf = target?.contact as SfRecord;
    const ic = (target?.intercom as IcContact[])[0];
    // Refuses every write to this record's Phone.
    sys.sandboxes.salesforce.addRule({ name: 'locked-phone', object: 'Contact', id: sf.Id, field: 'Phone', message: MESSAGE });
    const errorsOf = async (): Promise<SyncError[]> =>
      (await m.request(ErrorsList, WS, { direction: 'all', limit: 500 })).errors.filter((e) => e.sfId === sf.Id);

    const first = await runToEnd();
    const [e1] = await waitFor(
      async () => {
        const e = await errorsOf();
        return e.length ? e : null;
      },
      { what: 'the error of run 1' },
    );
    expect(e1).toMatchObject({ cause: 'validation_rule', syncType: 'bulk', run: first, attempts: 1, icId: ic.id, attributes: ['Phone'] });
    expect(e1.details).toMatchObject({ statusCode: 'FIELD_CUSTOM_VALIDATION_EXCEPTION', message: MESSAGE });

    const second = await runToEnd();
    expect(second).not.toBe(first);
    const [e2] = await waitFor(
      async () => {
        const e = await errorsOf();
        return e[0]?.attempts === 2 ? e : null;
      },
      { what: 'the error of run 2' },
    );
    expect(e2).toMatchObject({ id: e1.id, run: second, attempts: 2, firstAt: e1.firstAt });
    expect(await errorsOf()).toHaveLength(1);
  });
});
