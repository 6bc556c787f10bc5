// The errors actor hosted by a real worker over a real nats-server: recording, merging, listing,
// counting, retry, resync, resolution, and survival across a worker restart.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ControlError,
  ErrorsCount,
  ErrorsList,
  ErrorsRetry,
  ErrorsShow,
  ReportSyncError,
  Resync,
  SyncErrorResolved,
  type SyncError,
  Keys,
} from '../../protocol/index.ts';
import type { Messenger } from '../../runtime/index.ts';

import { FIXTURES } from '../helpers/fixtures.ts';
import { waitFor } from '../helpers/host.ts';
import { type TestSystem, WS, startSystem } from '../helpers/system.ts';
import { IC_ID, SF_CONTACT, SF_LEAD, messenger, purgeWork, report, workItems } from './errors-helpers.ts';

let sys: TestSystem;
let m: Messenger;

beforeAll(async () => {
  sys = await startSystem({ generator: { people: 5 } });
  // Work items of a bulk run are dropped unless the run is running: record one as the coordinator would.
  const run = { ...(FIXTURES['bulk.progress.v1'] as object), runId: 'run-1', ws: WS, status: 'running' };
  await (await sys.kv('runs')).put(Keys.run(WS, 'run-1'), run);
  await sys.startWorker(['errors']);
  m = messenger(sys.nc);
}, 60_000);
afterAll(async () => {
  await sys?.stop();
});

const list = (q: Parameters<Messenger['request']>[2] = {}) => m.request(ErrorsList, WS, q as never);
const all = async () => (await list({ direction: 'all', limit: 500 })).errors;
const one = async (pred: (e: SyncError) => boolean) => waitFor(async () => (await all()).find(pred), { what: 'the sync error' });

describe('errors actor', () => {
  it('records the same failure of the same record as one error with its attempts', async () => {
    const t = Date.now();
    await m.publish(ReportSyncError, WS, report({ at: t, syncType: 'bulk', run: 'run-1' }), { cls: 'bulk' });
    const first = await one((e) => e.sfId === SF_CONTACT);
    expect(first).toMatchObject({ attempts: 1, syncType: 'bulk', run: 'run-1', cause: 'validation_rule', ws: WS });
    await m.publish(ReportSyncError, WS, report({ at: t + 1000, message: 'Title may not be CEO (again)' }), { cls: 'event' });
    const second = await waitFor(async () => (await all()).find((e) => e.id === first.id && e.attempts === 2), { what: 'attempt 2' });
    expect(second).toMatchObject({ firstAt: t, lastAt: t + 1000, syncType: 'event', run: null, message: 'Title may not be CEO (again)' });
    // The same report delivered again is not another attempt; a different attribute set is another error.
    await m.publish(ReportSyncError, WS, report({ at: t + 1000 }), { cls: 'event' });
    await m.publish(ReportSyncError, WS, report({ at: t + 2000, attributes: ['Title', 'Phone'] }), { cls: 'event' });
    await waitFor(async () => (await all()).length === 2, { what: 'second error' });
    expect((await m.request(ErrorsShow, WS, { id: first.id })).error.attempts).toBe(2);
    expect((await all()).filter((e) => e.sfId === SF_CONTACT)).toHaveLength(2);
  });

  it('lists Intercom-to-Salesforce errors by default, filters and pages, and counts by cause', async () => {
    const t = Date.now() + 10_000;
    await m.publish(
      ReportSyncError,
      WS,
      report({
        direction: 'salesforce_to_intercom',
        sfObject: 'Lead',
        sfId: SF_LEAD,
        cause: 'not_found',
        attributes: ['custom_attributes.plan'],
        at: t,
      }),
      { cls: 'event' },
    );
    await m.publish(
      ReportSyncError,
      WS,
      report({ sfObject: 'Lead', sfId: SF_LEAD, cause: 'field_too_long', syncType: 'retry', attributes: ['City'], at: t + 1 }),
      { cls: 'retry' },
    );
    await waitFor(async () => (await all()).length === 4, { what: 'four errors' });
    const byDefault = await list();
    expect(byDefault.total).toBe(3);
    expect(byDefault.errors.every((e) => e.direction === 'intercom_to_salesforce')).toBe(true);
    expect(byDefault.errors[0]).toMatchObject({ cause: 'field_too_long' }); // newest first
    const lastAts = byDefault.errors.map((e) => e.lastAt);
    expect([...lastAts].sort((a, b) => b - a)).toEqual(lastAts);
    expect((await list({ direction: 'salesforce_to_intercom' })).errors.map((e) => e.cause)).toEqual(['not_found']);
    expect((await list({ syncType: 'retry' })).total).toBe(1);
    expect((await list({ cause: 'validation_rule' })).total).toBe(2);
    expect((await list({ direction: 'all', since: t })).total).toBe(2);
    expect((await list({ direction: 'all', until: t - 1 })).total).toBe(2);
    const page = await list({ direction: 'all', limit: 3, offset: 3 });
    expect(page).toMatchObject({ total: 4 });
    expect(page.errors).toHaveLength(1);
    expect(await m.request(ErrorsCount, WS, {})).toEqual({ byCause: { validation_rule: 2, not_found: 1, field_too_long: 1 }, total: 4 });
    expect(await m.request(ErrorsCount, WS, { direction: 'salesforce_to_intercom' })).toEqual({ byCause: { not_found: 1 }, total: 1 });
  });

  it('retries by id or by cause as MatchResync items of class retry', async () => {
    await purgeWork(sys.admin, 'peoplesync.work.*.match.>');
    const errs = await all();
    const target = errs.find((e) => e.cause === 'not_found') as SyncError;
    expect(await m.request(ErrorsRetry, WS, { ids: [target.id], by: 'ann' })).toEqual({ queued: 1 });
    const items = await waitFor(
      async () => {
        const w = await workItems(sys.nc, `peoplesync.work.${WS}.match.>`);
        return w.length ? w : null;
      },
      { what: 'a resync item' },
    );
    expect(items).toHaveLength(1);
    expect(items[0]).toMatchObject({
      subject: `peoplesync.work.${WS}.match.retry`,
      type: 'match.resync.v1',
      msgId: `retry:${target.id}:${target.lastAt}`,
      body: { sfObject: 'Lead', sfId: SF_LEAD, icId: IC_ID, errorIds: [target.id], requestedBy: 'ann' },
    });
    // Retrying it again at once is one retry (same msgId): the first is still queued.
    await m.request(ErrorsRetry, WS, { ids: [target.id] });
    expect(await m.request(ErrorsRetry, WS, { cause: 'validation_rule' })).toEqual({ queued: 2 });
    const after = await workItems(sys.nc, `peoplesync.work.${WS}.match.retry`);
    expect(after).toHaveLength(3);
    expect(
      after
        .slice(1)
        .map((i) => (i.body.errorIds as string[])[0])
        .sort(),
    ).toEqual(
      errs
        .filter((e) => e.cause === 'validation_rule')
        .map((e) => e.id)
        .sort(),
    );
  });

  it('refuses a retry that names no error or an unknown one', async () => {
    const none = await m.request(ErrorsRetry, WS, {}).catch((e: unknown) => e);
    expect(none).toBeInstanceOf(ControlError);
    expect(none).toMatchObject({ status: 400, message: expect.stringMatching(/ids, or a cause/) });
    const unknown = await m.request(ErrorsRetry, WS, { ids: ['0123456789abcdef01234567'] }).catch((e: unknown) => e);
    expect(unknown).toMatchObject({ code: 'not_found', status: 404, message: expect.stringMatching(/0123456789abcdef01234567/) });
    const show = await m.request(ErrorsShow, WS, { id: 'ffffffffffffffffffffffff' }).catch((e: unknown) => e);
    expect(show).toMatchObject({ status: 404 });
    const bad = await m.request(ErrorsShow, WS, { id: 'nope' }).catch((e: unknown) => e);
    expect(bad).toMatchObject({ code: 'invalid_request', status: 400, message: expect.stringMatching(/24 hex/) });
  });

  it('resyncs one person by email, Salesforce Id or Intercom id with class interactive', async () => {
    await purgeWork(sys.admin, 'peoplesync.work.*.match.>');
    const contactErrors = (await all())
      .filter((e) => e.sfId === SF_CONTACT)
      .map((e) => e.id)
      .sort();
    expect(await m.request(Resync, WS, { key: 'ann@example.com', by: 'cli' })).toEqual({
      queued: 1,
      requestId: expect.stringMatching(/^resync:/),
    });
    expect(await m.request(Resync, WS, { key: SF_CONTACT.slice(0, 15) })).toEqual({
      queued: 1,
      requestId: expect.stringMatching(/^resync:/),
    });
    expect(await m.request(Resync, WS, { key: IC_ID })).toEqual({ queued: 1, requestId: expect.stringMatching(/^resync:/) });
    const items = await waitFor(
      async () => {
        const w = await workItems(sys.nc, `peoplesync.work.${WS}.match.>`);
        return w.length === 3 ? w : null;
      },
      { what: 'three resync items' },
    );
    expect(items.every((i) => i.subject === `peoplesync.work.${WS}.match.interactive`)).toBe(true);
    expect(items[0].body).toMatchObject({ email: 'ann@example.com', errorIds: [], requestedBy: 'cli' });
    expect(items[1].body).toMatchObject({ sfObject: 'Contact', sfId: SF_CONTACT });
    expect((items[1].body.errorIds as string[]).sort()).toEqual(contactErrors);
    expect(items[2].body).toMatchObject({ icId: IC_ID });
    const bad = await m.request(Resync, WS, { key: '001000000000001' }).catch((e: unknown) => e);
    expect(bad).toMatchObject({
      code: 'invalid_key',
      status: 400,
      message: expect.stringMatching(/neither a Lead \(00Q\) nor a Contact \(003\)/),
    });
  });

  it('removes the errors of a record that synced cleanly, but not a failure newer than the clean sync', async () => {
    const before = await all();
    const lead = before.filter((e) => e.sfId === SF_LEAD);
    expect(lead).toHaveLength(2);
    const newest = Math.max(...lead.map((e) => e.lastAt));
    // Only the Intercom-to-Salesforce direction synced, and before the newer failure.
    await m.publish(
      SyncErrorResolved,
      WS,
      { errorIds: [], sfId: SF_LEAD, icId: null, direction: 'intercom_to_salesforce', at: newest - 1 },
      { cls: 'retry' },
    );
    await m.publish(
      SyncErrorResolved,
      WS,
      { errorIds: [], sfId: SF_LEAD, icId: null, direction: 'salesforce_to_intercom', at: newest + 1 },
      { cls: 'retry' },
    );
    await waitFor(async () => (await all()).filter((e) => e.sfId === SF_LEAD).length === 1, { what: 'one lead error resolved' });
    expect((await all()).find((e) => e.sfId === SF_LEAD)).toMatchObject({ cause: 'field_too_long' });
    // By id: only the named error goes.
    const contact = (await all()).filter((e) => e.sfId === SF_CONTACT);
    await m.publish(
      SyncErrorResolved,
      WS,
      { errorIds: [contact[0].id], sfId: SF_CONTACT, icId: IC_ID, direction: null, at: Date.now() + 60_000 },
      { cls: 'retry' },
    );
    await waitFor(async () => (await all()).length === before.length - 2, { what: 'the named error resolved' });
    expect((await all()).map((e) => e.id)).not.toContain(contact[0].id);
    expect((await all()).map((e) => e.id)).toContain(contact[1].id);
  });

  it('keeps errors across a worker restart', async () => {
    const before = (await all()).map((e) => ({ id: e.id, attempts: e.attempts })).sort((a, b) => a.id.localeCompare(b.id));
    expect(before.length).toBeGreaterThan(0);
    for (const w of sys.workers.splice(0)) await w.stop(1_000);
    const err = await m.request(ErrorsList, WS, {}, 1_000).catch((e: unknown) => e);
    expect(err).toMatchObject({ status: 503 }); // nothing serves the list any more
    await sys.startWorker(['errors']);
    const after = (await all()).map((e) => ({ id: e.id, attempts: e.attempts })).sort((a, b) => a.id.localeCompare(b.id));
    expect(after).toEqual(before);
  });
});
