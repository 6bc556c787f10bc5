// The polling pool against a real nats-server and both sandboxes: bulk pages by Id keyset, change
// polls after a cursor, Intercom change polls, and the poll clock. A probe host collects what the
// actor publishes to matching and to the coordinator.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readSettings } from '../../actors/domain/index.ts';
import { MatchContacts, MatchRecords, PageScanned, PollIntercom, ScanChanges, ScanPage, Keys } from '../../protocol/index.ts';
import type { SfChangeCursor } from '../../connectors/index.ts';
import { type ActorDef, on } from '../../runtime/index.ts';
import { newRun } from '../../actors/coordinator/index.ts';
import { BATCH_SIZE, PAGE_SIZE } from '../../actors/polling/index.ts';
import { type TestHost, startHost, waitFor } from '../helpers/host.ts';
import { type TestSystem, WS, startSystem } from '../helpers/system.ts';
import { DEFAULT_SEARCH_DELAY_MS } from '../../sandbox/index.ts';

type Got = { type: string; cls: string; run: string | null; body: Record<string, unknown> };
const got: Got[] = [];
const keep = (type: string) => async (body: unknown, ctx: { cls: string; run: string | null }) => {
  got.push({ type, cls: ctx.cls, run: ctx.run, body: body as Record<string, unknown> });
};

const probe: ActorDef = {
  name: 'probe',
  queues: [
    { stage: 'match', classes: ['bulk', 'event'], handlers: [on(MatchRecords, keep('records')), on(MatchContacts, keep('contacts'))] },
  ],
};
const coordProbe: ActorDef = {
  name: 'coord-probe',
  singleton: true,
  queues: [{ stage: 'coord', classes: ['bulk'], handlers: [on(PageScanned, keep('scanned'))] }],
};

let sys: TestSystem;
let probeHost: TestHost;
const sfQueries = () => sys.sandboxes.salesforce.stats().byKind.query;
/** Change polls are composite calls: both objects' queries in one. */
const sfPolls = () => sys.sandboxes.salesforce.stats().byKind.composite;
const poll = (objects: string[]) => publish(ScanChanges, { objects, at: Date.now(), reason: 'tick' }, 'event');
/** Salesforce stamps have whole seconds: a poll moves its cursor only past seconds that are over. */
const nextSecond = () => new Promise((r) => setTimeout(r, 1_020 - (Date.now() % 1_000)));
const icSearches = () => sys.sandboxes.intercom.stats();
const publish = (def: Parameters<TestHost['host']['messenger']['publish']>[0], body: Record<string, unknown>, cls: 'bulk' | 'event') =>
  probeHost.host.messenger.publish(def, WS, body as never, { cls });
const settle = () => new Promise((r) => setTimeout(r, 400));

beforeAll(async () => {
  // More than one page of Contacts (2,000 a page).
  sys = await startSystem({ generator: { people: 2_600, leadShare: 0.1 }, settings: { pollIntervalSeconds: 3_600 } });
  await sys.startWorker(['polling', 'quota']);
  probeHost = await startHost(sys.nats, [probe, coordProbe]);
  await waitFor(() => probeHost.host.isLeading('coord-probe', WS), { what: 'probe leading' });
});
afterAll(async () => {
  await probeHost?.stop();
  await sys?.stop();
});

describe('polling', () => {
  it("reads a bulk run's pages by Id keyset into batches of 200, reporting each page once", async () => {
    const run = newRun({ runId: 'rscan', ws: WS, startedBy: 't', dryRun: false, settingsRevision: 1, now: Date.now(), errorsUrl: null });
    await (await sys.kv('runs')).put(Keys.run(WS, run.runId), run);
    const contacts = sys.sandboxes.salesforce.counts().Contact;
    expect(contacts).toBeGreaterThan(PAGE_SIZE);
    const before = sfQueries();
    await publish(ScanPage, { run: 'rscan', settingsRevision: 1, object: 'Contact', page: 0, afterId: null }, 'bulk');
    const pages = await waitFor(
      () => {
        const s = got.filter((g) => g.type === 'scanned');
        return s.some((g) => g.body.last) && s.length === 2 ? s : null;
      },
      { what: 'both pages reported' },
    );
    expect(pages.map((p) => [p.body.page, p.body.records, p.body.last])).toEqual([
      [0, PAGE_SIZE, false],
      [1, contacts - PAGE_SIZE, true],
    ]);
    expect(sfQueries() - before).toBe(2);

    const batchIds = pages.flatMap((p) => p.body.batchIds as string[]);
    expect(batchIds.slice(0, 2)).toEqual(['Contact:0:0', 'Contact:0:1']);
    await waitFor(() => got.filter((g) => g.type === 'records').length === batchIds.length, { what: 'every batch' });
    const batches = got.filter((g) => g.type === 'records');
    expect(batches.every((b) => b.cls === 'bulk' && b.run === 'rscan' && (b.body.records as unknown[]).length <= BATCH_SIZE)).toBe(true);
    expect(new Set(batches.map((b) => b.body.batchId))).toEqual(new Set(batchIds));
    // Each batch carries the settings revision its run started with, for matching to go on with.
    expect(batches.every((b) => b.body.settingsRevision === 1)).toBe(true);
    const ids = batches.flatMap((b) => (b.body.records as Array<{ Id: string }>).map((r) => r.Id));
    const all = sys.sandboxes.salesforce.records('Contact', 0, contacts + 10).map((r) => r.Id);
    expect(ids.sort()).toEqual(all.sort());
    // Fields: Id, Email, SystemModstamp and every mapped Contact field.
    const rec = (batches[0].body.records as Array<Record<string, unknown>>)[0];
    expect(Object.keys(rec)).toEqual(
      expect.arrayContaining(['Id', 'Email', 'SystemModstamp', 'Title', 'MailingCity', 'Department', 'Plan__c']),
    );

    // A redelivered page is read again but publishes nothing new (not even the next page):
    // message ids are deterministic.
    const n = got.length;
    await publish(ScanPage, { run: 'rscan', settingsRevision: 1, object: 'Contact', page: 0, afterId: null }, 'bulk');
    await waitFor(() => sfQueries() - before === 3, { what: 'the page read again' });
    await settle();
    expect(got.length).toBe(n);
    expect(sfQueries() - before).toBe(3);
  });

  it('polls Salesforce changes after a cursor that starts at now and moves by compare-and-set', async () => {
    const cursors = await sys.kv('cursors');
    const before = sfPolls();
    const queries = sfQueries();
    await poll(['Lead']);
    const first = await waitFor(() => cursors.getRaw(`${WS}.sf.Lead`), { what: 'cursor' });
    const start = first.value as SfChangeCursor;
    expect(Date.parse(start.modstamp.replace('+0000', 'Z'))).toBeGreaterThan(Date.now() - 10_000);
    expect(sfPolls()).toBe(before); // the org as it stands is not a change

    const lead = sys.sandboxes.salesforce.records('Lead', 0, 1)[0];
    await new Promise((r) => setTimeout(r, 5));
    const changed = sys.sandboxes.salesforce.userUpdate(lead.Id, { Title: 'Chief Poller' });
    await nextSecond();
    await poll(['Lead']);
    const batch = await waitFor(() => got.find((g) => g.type === 'records' && g.cls === 'event'), { what: 'change batch' });
    expect(batch.run).toBeNull();
    expect(batch.body).toMatchObject({ object: 'Lead', records: [expect.objectContaining({ Id: lead.Id, Title: 'Chief Poller' })] });
    expect(String(batch.body.batchId)).toMatch(/^evt:Lead:/);
    // A change batch carries the revision of the current settings it was read with.
    expect(batch.body.settingsRevision).toBe((await readSettings(await sys.kv('settings'), WS))!.revision);
    const moved = await waitFor(
      async () => {
        const v = await cursors.getRaw(`${WS}.sf.Lead`);
        return v && (v.value as SfChangeCursor).id !== start.id ? (v.value as SfChangeCursor) : null;
      },
      { what: 'cursor moved' },
    );
    expect(moved).toMatchObject({ modstamp: changed.SystemModstamp, id: lead.Id });
    expect(sfPolls() - before).toBe(1);
    expect(sfQueries()).toBe(queries); // no query of its own: the composite carried it

    await poll(['Lead']);
    await waitFor(() => sfPolls() - before === 2, { what: 'an empty poll' });
    await settle();
    expect(got.filter((g) => g.type === 'records' && g.cls === 'event')).toHaveLength(1);
  });

  it('polls Intercom changes from the previous poll, reaching back a day', async () => {
    const cursors = await sys.kv('cursors');
    const searches = () => icSearches().calls['POST /contacts/search'] ?? 0;
    const before = searches();
    await publish(PollIntercom, { tick: 1 }, 'event');
    const first = await waitFor(() => cursors.getRaw(`${WS}.ic`), { what: 'intercom cursor' });
    expect((first.value as { since: number }).since).toBeGreaterThan(Date.now() / 1000 - 10);
    expect(searches()).toBe(before);

    const contact = sys.sandboxes.intercom.contacts()[0];
    sys.sandboxes.intercom.userChange(contact.id, { custom_attributes: { plan: 'pro' } });
    // The next poll comes after the search index has the change (it lags by up to minutes).
    sys.sandboxes.intercom.advanceClock(DEFAULT_SEARCH_DELAY_MS);
    await publish(PollIntercom, { tick: 2 }, 'event');
    const item = await waitFor(() => got.find((g) => g.type === 'contacts'), { what: 'changed contacts' });
    expect(item.body.source).toBe('poll');
    expect((item.body.contacts as Array<{ id: string }>).map((c) => c.id)).toEqual([contact.id]);
    expect(searches()).toBeGreaterThan(before);
  });

  // API-FACTS "Intercom REST API": newly created contacts may be missing from search for a few
  // minutes; the poll reaches back a day, so the next poll finds what the last one could not see.
  it('does not lose a contact created just before a poll: a later poll finds it once search has it', async () => {
    const searches = () => icSearches().calls['POST /contacts/search'] ?? 0;
    const [fresh] = sys.sandboxes.intercom.createContacts([{ email: 'just-before-a-poll@example.com', role: 'lead' }]);
    const mentions = () =>
      got.filter((g) => g.type === 'contacts' && (g.body.contacts as Array<{ id: string }>).some((c) => c.id === fresh.id));
    const before = searches();
    await publish(PollIntercom, { tick: 3 }, 'event');
    await waitFor(() => searches() > before, { what: 'the poll just after the creation' });
    await settle();
    expect(mentions()).toHaveLength(0); // not in the search index yet
    sys.sandboxes.intercom.advanceClock(DEFAULT_SEARCH_DELAY_MS);
    await publish(PollIntercom, { tick: 4 }, 'event');
    const found = await waitFor(() => (mentions().length ? mentions() : null), { what: 'the new contact in a later poll' });
    expect(found).toHaveLength(1);
    expect(found[0].body.source).toBe('poll');
  });

  it("polls as soon as it leads the workspace's clock: Salesforce objects and Intercom", async () => {
    const cursors = await sys.kv('cursors');
    await cursors.delete(`${WS}.sf.Contact`);
    const leadBefore = (await cursors.getRaw(`${WS}.sf.Lead`))?.value as SfChangeCursor;
    const polls = sfPolls();
    const searches = icSearches().calls['POST /contacts/search'] ?? 0;
    const w = await sys.startWorker(['poll-scheduler']);
    await waitFor(() => w.host.isLeading('poll-scheduler', WS), { what: 'scheduler leading' });
    // Contact had no cursor: its first tick starts one; Lead and Intercom had one: they are read.
    await waitFor(() => cursors.getRaw(`${WS}.sf.Contact`), { what: 'contact cursor from the first tick' });
    await waitFor(() => sfPolls() === polls + 1, { what: 'the Lead change poll' });
    await waitFor(() => (icSearches().calls['POST /contacts/search'] ?? 0) > searches, { what: 'the Intercom poll' });
    // Nothing changed since: the cursor stays where it was.
    expect((await cursors.getRaw(`${WS}.sf.Lead`))?.value).toMatchObject({ modstamp: leadBefore.modstamp, id: leadBefore.id });
  });
});
