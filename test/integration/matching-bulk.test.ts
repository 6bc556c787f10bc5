// The matching actor in a bulk run against a real nats-server and the sandboxes: the index built
// page by page, records joined as the generator says they should be, links stored and preferred,
// and contacts deleted in Intercom swept out with their links.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultSettings } from '../../actors/mapping/index.ts';
import { writeSettings } from '../../actors/domain/index.ts';
import { type IndexEntry, type Lookup, indexKeys, linkKeys } from '../../actors/matching/index.ts';
import { RefreshPages } from '../../actors/matching/directory.ts';
import { IndexStore } from '../../actors/matching/index-store.ts';
import type { IcContact, SfRecord } from '../../connectors/index.ts';
import type { GeneratorOptions } from '../../sandbox/index.ts';
import { IndexRefresh } from '../../protocol/index.ts';
import { waitFor } from '../helpers/host.ts';
import {
  type Expected,
  type MatchingSystem,
  WS,
  drained,
  dump,
  expectedOutcomes,
  matchBulk,
  recordRun,
  refreshIndex,
  startMatchingSystem,
} from './matching-helpers.ts';

const GEN: GeneratorOptions = { seed: 11, people: 420, duplicateShare: 0.03, bothShare: 0.06, oddShare: 0.15 };
const plainEmail = (e: string | null) => (e === null ? null : e.trim().normalize('NFC').toLowerCase());

let m: MatchingSystem;
const world = expectedOutcomes(GEN);
let firstRun = '';

beforeAll(async () => {
  m = await startMatchingSystem({ generator: GEN });
});
afterAll(async () => {
  await m?.stop();
});

async function entries(): Promise<Map<string, IndexEntry>> {
  const all = await dump(m.sys, 'index', `${WS}.c.*`);
  return new Map([...all.values()].map((v) => [(v as IndexEntry).id, v as IndexEntry]));
}

describe('matching in a bulk run', () => {
  it('builds the identity index page by page from the Intercom listing', async () => {
    const { run, done } = await refreshIndex(m);
    firstRun = run;
    expect(done).toEqual({ run, contacts: world.contacts.length, pages: Math.ceil(world.contacts.length / 150) });
    const byId = await entries();
    expect([...byId.keys()].sort()).toEqual(world.contacts.map((c) => c.id).sort());
    for (const c of world.contacts) {
      const e = byId.get(c.id) as IndexEntry;
      expect(e).toMatchObject({ role: c.role, email: plainEmail(c.email), updatedAt: c.updated_at });
      expect(e.contact.custom_attributes).toEqual(c.custom_attributes);
      // The connector reads an empty text as no value.
      expect(e.contact.phone).toBe(c.phone === '' ? null : c.phone);
    }
    // One email lookup per distinct address, listing exactly the contacts holding it.
    const groups = new Map<string, string[]>();
    for (const c of world.contacts) {
      const e = plainEmail(c.email) as string;
      groups.set(e, [...(groups.get(e) ?? []), c.id]);
    }
    const lookups = await dump(m.sys, 'index', `${WS}.e.*`);
    expect(lookups.size).toBe(groups.size);
    for (const [email, ids] of groups) {
      const l = lookups.get(indexKeys.lookup(WS, 'e', email)) as Lookup;
      expect(l.v).toBe(email);
      expect([...l.ids].sort()).toEqual([...ids].sort());
    }
    expect([...groups.values()].some((ids) => ids.length > 1)).toBe(true);
  });

  it('joins Contacts, then Leads, with the outcomes the generator implies, and stores the links both ways', async () => {
    const kinds = [...world.expected.values()].map((e) => e.kind);
    for (const k of ['matched', 'ambiguous', 'unmatched', 'skipped'] as const)
      expect(kinds.filter((x) => x === k).length).toBeGreaterThan(0);
    const maps = [
      ...(await matchBulk(m, firstRun, 'Contact', world.records.Contact)),
      ...(await matchBulk(m, firstRun, 'Lead', world.records.Lead)),
    ];
    const pairs = new Map(maps.flatMap((b) => b.pairs.map((p) => [p.sf.Id, p] as const)));
    const errors = await waitFor(
      () => {
        const want = kinds.filter((k) => k === 'ambiguous').length;
        const got = m.sink.errors.filter((e) => e.body.run === firstRun);
        return got.length === want ? got : null;
      },
      { what: 'one sync error per ambiguous record' },
    );
    const bySfId = new Map(errors.map((e) => [e.body.sfId, e.body]));
    const count = (k: Expected['kind']) => [...world.expected.values()].filter((e) => e.kind === k).length;
    const sum = (f: (b: (typeof maps)[number]) => number) => maps.reduce((n, b) => n + f(b), 0);
    expect(sum((b) => b.scanned)).toBe(world.records.Contact.length + world.records.Lead.length);
    expect(sum((b) => b.unmatched)).toBe(count('unmatched'));
    expect(sum((b) => b.skipped)).toBe(count('skipped'));
    expect(sum((b) => b.ambiguous)).toBe(count('ambiguous'));
    expect(pairs.size).toBe(count('matched'));
    const links = await m.sys.kv('links');
    const icById = new Map(world.contacts.map((c) => [c.id, c]));
    for (const [sfId, want] of world.expected) {
      const object = sfId.startsWith('00Q') ? 'Lead' : 'Contact';
      if (want.kind === 'matched') {
        const p = pairs.get(sfId);
        expect(p?.ic.id, sfId).toBe(want.icId);
        expect(p?.object).toBe(object);
        expect(p?.ic.custom_attributes).toEqual((icById.get(want.icId) as IcContact).custom_attributes);
        expect((await links.getRaw(linkKeys.sf(WS, sfId)))?.value).toEqual({ icId: want.icId, object });
        expect((await links.getRaw(linkKeys.ic(WS, want.icId)))?.value).toMatchObject({ [object]: sfId });
      } else {
        expect(pairs.has(sfId), sfId).toBe(false);
      }
      if (want.kind === 'ambiguous') {
        const e = bySfId.get(sfId);
        expect(e).toMatchObject({
          cause: 'ambiguous_match',
          sfObject: object,
          syncType: 'bulk',
          run: firstRun,
          direction: 'intercom_to_salesforce',
        });
        expect((e?.details.candidates as { intercom: string[] }).intercom).toEqual(want.icIds);
        expect(e?.message).toContain(want.icIds[0]);
      }
    }
  });

  it("carries the run's settings revision and dry-run flag, not the current ones", async () => {
    const settingsKv = await m.sys.kv('settings');
    const old = (await settingsKv.getRaw(WS))?.revision as number;
    await writeSettings(settingsKv, WS, defaultSettings({ sfApiLimit: 9_000 }));
    const run = await recordRun(m.sys, { dryRun: true, settingsRevision: old });
    const [batch] = await matchBulk(m, run, 'Contact', world.records.Contact.slice(0, 5));
    expect(batch).toMatchObject({ settingsRevision: old, dryRun: true, scanned: 5 });
  });

  it('prefers a stored link when the email has changed since, and rewrites only what changed', async () => {
    const [sfId, want] = [...world.expected].find(([id, e]) => id.startsWith('003') && e.kind === 'matched') as [string, { icId: string }];
    const record = world.records.Contact.find((r) => r.Id === sfId) as SfRecord;
    const index = await m.sys.kv('index');
    const before = new Map<string, number>();
    for (const k of (await dump(m.sys, 'index', `${WS}.c.*`)).keys()) before.set(k, (await index.getRaw(k))?.revision as number);
    expect(before.size).toBe(world.contacts.length);
    m.sys.sandboxes.intercom.userChange(want.icId, { email: `moved.${sfId}@elsewhere.example` });
    const { run } = await refreshIndex(m);
    for (const [k, rev] of before) {
      const now = (await index.getRaw(k))?.revision;
      if (k === indexKeys.contact(WS, want.icId)) expect(now).toBeGreaterThan(rev);
      else expect(now, k).toBe(rev);
    }
    const oldLookup = (await index.getRaw(indexKeys.lookup(WS, 'e', plainEmail(record.Email as string) as string)))?.value as Lookup;
    expect(oldLookup.ids).not.toContain(want.icId);
    const [batch] = await matchBulk(m, run, 'Contact', [record]);
    expect(batch.pairs.map((p) => [p.sf.Id, p.ic.id, p.ic.email])).toEqual([[sfId, want.icId, `moved.${sfId}@elsewhere.example`]]);
  });

  it('sweeps out a contact deleted in Intercom, with its lookups and both links', async () => {
    const [sfId, want] = [...world.expected].filter(([id, e]) => id.startsWith('003') && e.kind === 'matched')[1] as [
      string,
      { icId: string },
    ];
    const record = world.records.Contact.find((r) => r.Id === sfId) as SfRecord;
    const links = await m.sys.kv('links');
    expect((await links.getRaw(linkKeys.sf(WS, sfId)))?.value).toEqual({ icId: want.icId, object: 'Contact' });
    const ic = m.sys.sandboxes.intercom;
    const kept = ic
      .dumpNdjson()
      .split('\n')
      .filter((line) => line && (JSON.parse(line) as IcContact).id !== want.icId);
    ic.loadNdjson(kept.join('\n'));
    const { run, done } = await refreshIndex(m);
    expect(done.contacts).toBe(world.contacts.length - 1);
    const index = await m.sys.kv('index');
    expect(await index.getRaw(indexKeys.contact(WS, want.icId))).toBeNull();
    const lookup = (await index.getRaw(indexKeys.lookup(WS, 'e', plainEmail(record.Email as string) as string)))?.value as Lookup;
    expect(lookup.ids).not.toContain(want.icId);
    expect(await links.getRaw(linkKeys.sf(WS, sfId))).toBeNull();
    expect(await links.getRaw(linkKeys.ic(WS, want.icId))).toBeNull();
    expect((await entries()).size).toBe(world.contacts.length - 1);
    const [batch] = await matchBulk(m, run, 'Contact', [record]);
    expect(batch).toMatchObject({ pairs: [], unmatched: 1, scanned: 1 });
  });

  it('sweeps contacts an unfinished refresh or an event indexed, and keeps the shards to event entries', async () => {
    const index = await m.sys.kv('index');
    const store = new IndexStore(index, WS);
    const pages = new RefreshPages(index, WS);
    const email = { kind: 'email' } as const;
    const before = Date.now() - 60_000;
    const ghost = (id: string) => ({ id, role: 'user' as const, email: `${id}@gone.example`, updated_at: 1, custom_attributes: {} });
    // A refresh whose run stopped after one page: it indexed a contact Intercom has deleted since.
    await pages.begin('unfinished');
    await pages.put('unfinished', 0, ['ghost-page'], false);
    await store.upsert([ghost('ghost-page')], email, before, 'changed', { listed: true });
    await pages.put('unfinished', 0, ['ghost-page'], true);
    // A contact an event indexed, deleted since; and one an event indexed that Intercom still has.
    await store.upsert([ghost('ghost-event')], email, before, 'changed');
    const live = [...(await entries()).keys()].find((id) => !id.startsWith('ghost')) as string;
    await store.directory.add([live]);
    expect((await store.directory.all()).sort()).toEqual(['ghost-event', live].sort());
    expect([...(await store.entries(['ghost-page', 'ghost-event'])).keys()].sort()).toEqual(['ghost-event', 'ghost-page']);

    await refreshIndex(m);
    expect([...(await store.entries(['ghost-page', 'ghost-event', live])).keys()]).toEqual([live]);
    // The refresh's pages name the live contact now; the shards hold nothing it listed.
    expect(await store.directory.all()).toEqual([]);
    expect(await index.getRaw(indexKeys.page(WS, 'unfinished', 0))).toBeNull();
    expect([...(await store.lookups('e', ['ghost-page@gone.example', 'ghost-event@gone.example'])).values()].flat()).toEqual([]);
  });

  it('leaves no refresh pages of earlier runs behind and publishes each step once', async () => {
    const pages = await dump(m.sys, 'index', `${WS}.r.>`);
    const runsSeen = new Set([...pages.keys()].map((k) => k.split('.')[2]));
    expect(runsSeen.size).toBe(1);
    // A redelivered first page publishes the same next page, which the duplicate window drops.
    const last = m.sink.refreshed[m.sink.refreshed.length - 1];
    await m.sink.publish(IndexRefresh, { run: last.run, page: 0, cursor: null }, 'bulk');
    await drained(m, 'index_bulk');
    await drained(m, 'coord_bulk_ws1');
    expect(m.sink.refreshed.filter((r) => r.run === last.run)).toHaveLength(1);
  });
});
