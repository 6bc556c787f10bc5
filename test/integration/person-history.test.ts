// A person's history from the writer's audit events: a real bulk run writes changes, each audit
// event lands on the person's own subject, and the history endpoint and `peoplesync history` read
// them back by email, Salesforce Id or Intercom id, newest first.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runMain } from '../helpers/cli.ts';
import {
  BulkStart,
  BulkStatus,
  ControlError,
  Headers,
  PersonHistory,
  RecordSynced,
  type RecordSyncedSchema,
  decodeMessage,
  eventFilter,
  subject,
} from '../../protocol/index.ts';
import type { z } from 'zod';
import { waitFor } from '../helpers/host.ts';
import { type TestSystem, WS, startSystem } from '../helpers/system.ts';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

type Synced = z.infer<typeof RecordSyncedSchema>;
let sys: TestSystem;
const seen: { subject: string; body: Synced }[] = [];

beforeAll(async () => {
  sys = await startSystem({ generator: { people: 120, oddShare: 0, duplicateShare: 0 }, settings: { pollIntervalSeconds: 86_400 } });
  sys.nc.subscribe(subject('peoplesync', { kind: 'evt', ws: WS, topic: eventFilter(RecordSynced) }), {
    callback: (_err, m) => {
      const { body } = decodeMessage(m.headers?.get(Headers.type), m.data, m.headers?.get(Headers.contentType));
      seen.push({ subject: m.subject, body: body as Synced });
    },
  });
  const w = await sys.startWorker();
  await waitFor(() => w.host.isLeading('coordinator', WS), { what: 'coordinator leading', timeoutMs: 10_000 });
  const m = w.host.messenger;
  const { run } = await m.request(BulkStart, WS, { startedBy: 'history-test' });
  await waitFor(async () => (await m.request(BulkStatus, WS, {})).run?.status === 'completed', { what: run.runId, timeoutMs: 45_000 });
}, 90_000);
afterAll(async () => {
  await sys?.stop();
});

const ask = (key: string, limit = 100) => sys.workers[0].host.messenger.request(PersonHistory, WS, { key, limit });

describe("a person's history", () => {
  it('publishes each audit event on the subject of its Salesforce record and Intercom contact', () => {
    expect(seen.length).toBeGreaterThan(0);
    for (const e of seen) expect(e.subject).toBe(`peoplesync.evt.${WS}.record.synced.${e.body.sfId}.${e.body.icId}`);
  });

  it('lists the changes synced for one person by Salesforce Id, Intercom id and email, newest first', async () => {
    const person = seen.find((e) => e.body.changes.length > 1)?.body ?? seen[0].body;
    const mine = seen.filter((e) => e.body.sfId === person.sfId || e.body.icId === person.icId).map((e) => e.body);
    const expected = mine
      .flatMap((b) => b.changes.map((c) => ({ at: b.at, attribute: c.attribute, from: c.from, to: c.to, direction: c.direction })))
      .sort((a, b) => b.at - a.at);
    const email = sys.sandboxes.intercom.contacts().find((c) => c.id === person.icId)?.email as string;
    for (const key of [person.sfId, person.icId, email.toUpperCase()]) {
      const h = await ask(key);
      expect(h.sfIds).toContain(person.sfId);
      expect(h.icIds).toContain(person.icId);
      expect(h.truncated).toBe(false);
      expect(h.changes.map(({ at, attribute, from, to, direction }) => ({ at, attribute, from, to, direction }))).toEqual(expected);
      expect(h.changes.every((c) => c.syncType === 'bulk' && c.run !== null && c.sfObject === person.sfObject)).toBe(true);
    }
    const one = await ask(person.sfId, 1);
    expect(one.changes).toHaveLength(1);
    expect(one.truncated).toBe(expected.length > 1);
  });

  it('answers an empty history for someone nothing was synced for, and refuses a key of no known shape', async () => {
    const synced = new Set(seen.map((e) => e.body.icId));
    const untouched = sys.sandboxes.intercom.contacts().find((c) => !synced.has(c.id) && c.email);
    expect(untouched).toBeDefined();
    expect(await ask(untouched?.email as string)).toMatchObject({ changes: [], truncated: false });
    const bad = await ask('not a person').catch((e: unknown) => e);
    expect(bad).toBeInstanceOf(ControlError);
    expect(bad).toMatchObject({ code: 'invalid_key', status: 400 });
  });

  it('peoplesync history prints the same list', async () => {
    const person = seen[0].body;
    const dir = await mkdtemp(join(tmpdir(), 'ps-history-'));
    const out: string[] = [];
    try {
      const cfg = join(dir, 'config.json');
      await writeFile(cfg, JSON.stringify(sys.config));
      for (const args of [[person.sfId], [person.icId, '--json']]) {
        const r = await runMain(['history', ...args, '--config', cfg]);
        expect(r.code).toBe(0);
        out.push(r.stdout);
      }
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
    const [text, json] = out;
    expect(text).toMatch(new RegExp(`^Changes synced for ${person.sfId}: Salesforce ${person.sfId}, Intercom ${person.icId}\\n`));
    expect(text).toMatch(/TIME \(UTC\)\s+DIR\s+ATTRIBUTE\s+OLD\s+NEW\s+SYNC\s+RUN/);
    for (const c of person.changes) expect(text).toContain(c.attribute);
    expect(JSON.parse(json)).toMatchObject({ key: person.icId, sfIds: [person.sfId], icIds: [person.icId] });
    expect(await runMain(['history', 'nobody'])).toMatchObject({ code: 2, stderr: expect.stringMatching(/is not an email/) });
  });
});
