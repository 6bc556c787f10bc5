// Sync errors end to end: an Intercom change arrives by webhook at the gateway, is matched,
// mapped and written to the Salesforce sandbox, which refuses it by a validation rule. The error
// shows with Salesforce's statusCode and message; a retry that fails again counts an attempt;
// once the rule is gone a retry writes the value and clears the error. `peoplesync resync` waits
// for each write of a person and prints its outcome.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { IcContact, SfRecord } from '../../connectors/index.ts';
import { ErrorsList, ErrorsRetry, ErrorsShow, QuotaUsageShow, type SyncError } from '../../protocol/index.ts';
import type { Messenger } from '../../runtime/index.ts';
import { type GeneratorOptions, generatePeople } from '../../sandbox/index.ts';
import { runMain } from '../helpers/cli.ts';
import { waitFor } from '../helpers/host.ts';
import { freePort } from '../helpers/nats-server.ts';
import { type TestSystem, WS, startSystem } from '../helpers/system.ts';
import { messenger } from '../integration/errors-helpers.ts';

const GEN: GeneratorOptions = { seed: 7, people: 60 };
const PREMIUM = '^\\+1 900';
const MESSAGE = 'Phone: premium-rate numbers are not allowed';

let sys: TestSystem;
let m: Messenger;

/** Users in Intercom with exactly one Salesforce Contact of the same email, and nothing odd. */
const plain = [...generatePeople(GEN)]
  .filter(
    (x) =>
      x.meta.kind === 'in-common' &&
      !x.meta.both &&
      !x.meta.duplicate &&
      x.meta.odd === null &&
      x.contact &&
      !x.lead &&
      x.intercom?.length === 1 &&
      x.intercom[0].role === 'user',
  )
  .map((x) => ({ sf: x.contact as SfRecord, ic: (x.intercom as IcContact[])[0] }));
let next = 0;
function person(): { sf: SfRecord; ic: IcContact } {
  const p = plain[next++];
  if (!p) throw new Error('the generated data set has too few plain Contacts: change GEN');
  return p;
}

beforeAll(async () => {
  sys = await startSystem({ generator: GEN });
  const port = await freePort();
  await sys.startWorker(['quota', 'errors', 'gateway', 'matching', 'mapping', 'writer'], { http: { host: '127.0.0.1', port } });
  sys.sandboxes.intercom.configure({
    webhook: { url: `http://127.0.0.1:${port}/webhooks/intercom/${WS}`, clientSecret: 'hook-secret', appId: 'app' },
  });
  m = messenger(sys.nc);
  // Until a quota leader is elected, token requests are refused: let it be elected first.
  await waitFor(
    async () =>
      m.request(QuotaUsageShow, WS, {}).then(
        () => true,
        () => false,
      ),
    { what: 'the quota leader' },
  );
}, 60_000);
afterAll(async () => {
  await sys?.stop();
});

const errorsOf = async (sfId: string): Promise<SyncError[]> =>
  (await m.request(ErrorsList, WS, { direction: 'all', limit: 500 })).errors.filter((e) => e.sfId === sfId);

/** A person changes their phone in Intercom to a number a rule on their Contact refuses. */
async function refusedChange(p: { sf: SfRecord; ic: IcContact }, phone: string): Promise<SyncError> {
  sys.sandboxes.salesforce.addRule({
    name: `rule-${p.sf.Id}`,
    object: 'Contact',
    id: p.sf.Id,
    field: 'Phone',
    matches: PREMIUM,
    message: MESSAGE,
  });
  sys.sandboxes.intercom.userChange(p.ic.id, { phone });
  await sys.sandboxes.intercom.drainWebhooks();
  const [err] = await waitFor(
    async () => {
      const e = await errorsOf(p.sf.Id);
      return e.length ? e : null;
    },
    { what: 'the sync error', timeoutMs: 30_000 },
  );
  return err;
}

async function attempts(id: string, n: number): Promise<SyncError> {
  return waitFor(
    async () => {
      const e = (await m.request(ErrorsShow, WS, { id })).error;
      return e.attempts === n ? e : null;
    },
    { what: `attempt ${n}`, timeoutMs: 30_000 },
  );
}

describe('sync errors end to end', () => {
  it('shows a validation-rule refusal with its statusCode and message, and a retry after the fix writes the value and clears it', async () => {
    const p = person();
    const phone = '+1 900 555 0142';
    const err = await refusedChange(p, phone);
    expect(err).toMatchObject({
      cause: 'validation_rule',
      syncType: 'event',
      direction: 'intercom_to_salesforce',
      sfObject: 'Contact',
      sfId: p.sf.Id,
      icId: p.ic.id,
      attributes: ['Phone'],
      attempts: 1,
      run: null,
    });
    expect(err.message).toBe(`FIELD_CUSTOM_VALIDATION_EXCEPTION: ${MESSAGE}`);
    expect(err.details).toMatchObject({ statusCode: 'FIELD_CUSTOM_VALIDATION_EXCEPTION', message: MESSAGE, fields: ['Phone'] });
    expect(sys.sandboxes.salesforce.get(p.sf.Id)?.Phone).not.toBe(phone);

    sys.sandboxes.salesforce.removeRule(`rule-${p.sf.Id}`);
    expect(await m.request(ErrorsRetry, WS, { ids: [err.id] })).toEqual({ queued: 1 });
    await waitFor(async () => (await errorsOf(p.sf.Id)).length === 0, { what: 'the error cleared', timeoutMs: 30_000 });
    expect(sys.sandboxes.salesforce.get(p.sf.Id)?.Phone).toBe(phone);
  });

  it('counts a retry that fails again as another attempt of the same error', async () => {
    const p = person();
    const err = await refusedChange(p, '+1 900 555 0143');
    expect(await m.request(ErrorsRetry, WS, { ids: [err.id] })).toEqual({ queued: 1 });
    const again = await attempts(err.id, 2);
    expect(again).toMatchObject({ syncType: 'retry', cause: 'validation_rule', firstAt: err.firstAt, message: err.message });
    expect(again.lastAt).toBeGreaterThan(err.lastAt);
    expect(await errorsOf(p.sf.Id)).toHaveLength(1);
  });

  it('clears the error when the fix comes right after a retry that failed on the same records', async () => {
    const p = person();
    const phone = '+1 900 555 0144';
    const err = await refusedChange(p, phone);
    await m.request(ErrorsRetry, WS, { ids: [err.id] });
    await attempts(err.id, 2);
    // Neither record changed since that retry; only the rule went.
    sys.sandboxes.salesforce.removeRule(`rule-${p.sf.Id}`);
    expect(await m.request(ErrorsRetry, WS, { ids: [err.id] })).toEqual({ queued: 1 });
    await waitFor(async () => (await errorsOf(p.sf.Id)).length === 0, { what: 'the error cleared', timeoutMs: 10_000 });
    expect(sys.sandboxes.salesforce.get(p.sf.Id)?.Phone).toBe(phone);
  });

  it('peoplesync errors retry waits for the outcome and prints it: failed again, then resolved', async () => {
    const p = person();
    const phone = '+1 900 555 0145';
    const err = await refusedChange(p, phone);
    const dir = await mkdtemp(join(tmpdir(), 'ps-retry-cli-'));
    const config = join(dir, 'config.json');
    await writeFile(config, JSON.stringify(sys.config));
    try {
      const failed = await runMain(['errors', 'retry', err.id, '--config', config]);
      expect(failed).toMatchObject({
        code: 1,
        stdout: `Queued 1 retry (class retry).\n${err.id}  failed again (validation_rule): ${err.message}\n`,
      });
      sys.sandboxes.salesforce.removeRule(`rule-${p.sf.Id}`);
      const resolved = await runMain(['errors', 'retry', err.id, '--config', config, '--json']);
      expect(resolved.code).toBe(0);
      expect(JSON.parse(resolved.stdout)).toEqual({ queued: 1, outcomes: [{ id: err.id, outcome: 'resolved' }] });
      expect(sys.sandboxes.salesforce.get(p.sf.Id)?.Phone).toBe(phone);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('peoplesync resync waits for each write of the person and prints its outcome', async () => {
    const p = person();
    const dir = await mkdtemp(join(tmpdir(), 'ps-resync-cli-'));
    const config = join(dir, 'config.json');
    await writeFile(config, JSON.stringify(sys.config));
    const pairLine = `Contact ${p.sf.Id} / Intercom ${p.ic.id}: `;
    try {
      // Whatever the generated pair differed in is written by a first resync; a second finds both in sync.
      expect(await runMain(['resync', p.sf.Id, '--config', config])).toMatchObject({ code: 0 });
      expect(await runMain(['resync', p.sf.Id, '--config', config])).toMatchObject({
        code: 0,
        stdout: `Queued a resync of ${p.sf.Id} (class interactive).\n${pairLine}Salesforce: in sync; Intercom: in sync\n`,
      });

      // A change Salesforce refuses: the resync says so, with the error, and fails.
      const phone = '+1 900 555 0146';
      const err = await refusedChange(p, phone);
      const refused = await runMain(['resync', p.sf.Id, '--config', config]);
      expect(refused.code).toBe(1);
      expect(refused.stdout).toContain(
        `${pairLine}Salesforce: failed (validation_rule): ${err.message} [error ${err.id}]; Intercom: in sync`,
      );

      // Once the rule is gone the same resync writes the value, and --json gives the outcome whole.
      sys.sandboxes.salesforce.removeRule(`rule-${p.sf.Id}`);
      const written = await runMain(['resync', p.ic.id, '--config', config, '--json']);
      expect(written.code).toBe(0);
      expect(JSON.parse(written.stdout)).toMatchObject({
        queued: 1,
        requestId: expect.stringMatching(/^resync:/),
        outcome: {
          status: 'done',
          pairs: [
            { sfId: p.sf.Id, icId: p.ic.id, salesforce: { status: 'updated', attributes: ['Phone'] }, intercom: { status: 'unchanged' } },
          ],
        },
      });
      expect(sys.sandboxes.salesforce.get(p.sf.Id)?.Phone).toBe(phone);
      await waitFor(async () => (await errorsOf(p.sf.Id)).length === 0, { what: 'the error cleared', timeoutMs: 10_000 });

      // Nobody by that email: nothing to sync, said so.
      expect(await runMain(['resync', 'nobody-at-all@example.invalid', '--config', config])).toMatchObject({
        code: 1,
        stdout: expect.stringContaining(
          'nobody-at-all@example.invalid is not a person in both Salesforce and Intercom: nothing was synced.',
        ),
      });
      // --no-wait only queues.
      expect(await runMain(['resync', p.sf.Id, '--config', config, '--no-wait'])).toMatchObject({
        code: 0,
        stdout: `Queued a resync of ${p.sf.Id} (class interactive).\n`,
      });
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
