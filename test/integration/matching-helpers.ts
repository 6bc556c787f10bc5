// Shared by the matching-* integration tests: the system with the matching and quota actors, a
// sink actor that consumes what matching sends on (map, errors, coord stages), bulk runs recorded
// as the coordinator would, and the outcome an independent reading of the generator expects.
import type { z } from 'zod';
import { readSettings } from '../../actors/domain/index.ts';
import type { IcContact, SfRecord } from '../../connectors/index.ts';
import {
  type BodyOf,
  IndexRefresh,
  IndexPageListed,
  IndexRefreshed,
  MapPairs,
  MatchRecords,
  type MessageDef,
  ReportSyncError,
  type Run,
  RunSchema,
  type WorkClass,
  Keys,
} from '../../protocol/index.ts';
import { type ActorDef, on } from '../../runtime/index.ts';
import { type GeneratorOptions, generatePeople } from '../../sandbox/index.ts';
import { type TestHost, startHost, waitFor } from '../helpers/host.ts';
import { type SystemOptions, type TestSystem, WS, startSystem } from '../helpers/system.ts';

export { WS };

export interface Seen<T> {
  body: T;
  cls: WorkClass;
}

export interface Sink {
  host: TestHost;
  maps: Seen<BodyOf<typeof MapPairs>>[];
  errors: Seen<BodyOf<typeof ReportSyncError>>[];
  refreshed: BodyOf<typeof IndexRefreshed>[];
  pages: BodyOf<typeof IndexPageListed>[];
  publish<D extends MessageDef>(def: D, body: z.input<D['schema']>, cls: WorkClass, msgId?: string): Promise<void>;
}

/** Stands in for the coordinator and the mapping and errors actors: it only records. */
function sinkActor(s: Omit<Sink, 'host' | 'publish'>): ActorDef {
  const all = ['bulk', 'event', 'retry', 'interactive'] as const;
  return {
    name: 'matching-test-sink',
    singleton: true,
    queues: [
      {
        stage: 'map',
        classes: all,
        concurrency: 32,
        handlers: [
          on(MapPairs, async (body, ctx) => {
            s.maps.push({ body, cls: ctx.cls });
          }),
        ],
      },
      {
        stage: 'errors',
        classes: all,
        concurrency: 32,
        handlers: [
          on(ReportSyncError, async (body, ctx) => {
            s.errors.push({ body, cls: ctx.cls });
          }),
        ],
      },
      {
        stage: 'coord',
        classes: ['bulk'],
        handlers: [
          on(IndexRefreshed, async (body) => {
            s.refreshed.push(body);
          }),
          on(IndexPageListed, async (body) => {
            s.pages.push(body);
          }),
        ],
      },
    ],
  };
}

export interface MatchingSystem {
  sys: TestSystem;
  sink: Sink;
  stop(): Promise<void>;
}

export async function startMatchingSystem(o: SystemOptions = {}): Promise<MatchingSystem> {
  const sys = await startSystem(o);
  await sys.startWorker(['matching', 'quota']);
  const rec = { maps: [], errors: [], refreshed: [], pages: [] };
  const host = await startHost(sys.nats, [sinkActor(rec)]);
  const sink: Sink = {
    ...rec,
    host,
    publish: (def, body, cls, msgId) => host.host.messenger.publish(def, WS, body, { cls, msgId }),
  };
  await waitFor(() => host.host.isLeading('matching-test-sink', WS), { what: 'sink leading' });
  return {
    sys,
    sink,
    stop: async () => {
      await host.stop();
      await sys.stop();
    },
  };
}

let runs = 0;

/** Records a running bulk run as the coordinator would; returns its id. */
export async function recordRun(sys: TestSystem, over: Partial<Run> = {}): Promise<string> {
  const settings = await readSettings(await sys.kv('settings'), WS);
  const runId = `run${++runs}-${Date.now().toString(36)}`;
  const run: Run = {
    runId,
    ws: WS,
    status: 'running',
    phase: 'index',
    reason: null,
    detail: null,
    dryRun: false,
    startedBy: 'test',
    startedAt: Date.now(),
    finishedAt: null,
    settingsRevision: settings?.revision ?? 0,
    indexContacts: 0,
    indexListed: 0,
    indexTotal: null,
    expectedRecords: null,
    counts: {
      scanned: 0,
      inCommon: 0,
      unmatched: 0,
      ambiguous: 0,
      skipped: 0,
      updatedSalesforce: 0,
      updatedIntercom: 0,
      unchanged: 0,
      failed: 0,
      wouldUpdateSalesforce: 0,
      wouldUpdateIntercom: 0,
      inDoubt: 0,
    },
    percent: 0,
    ratePerSecond: 0,
    etaSeconds: null,
    sample: [],
    errorsUrl: null,
    ...over,
  };
  await (await sys.kv('runs')).put(Keys.run(WS, runId), run);
  return runId;
}

/** A whole index refresh for a new run; resolves with what matching reported to the coordinator. */
export async function refreshIndex(m: MatchingSystem, timeoutMs = 30_000): Promise<{ run: string; done: BodyOf<typeof IndexRefreshed> }> {
  const run = await recordRun(m.sys);
  await m.sink.publish(IndexRefresh, { run, page: 0, cursor: null }, 'bulk', `idx:${run}:0`);
  const done = await waitFor(() => m.sink.refreshed.find((r) => r.run === run), { what: `refresh of ${run}`, timeoutMs });
  return { run, done };
}

/** Bulk batches as polling would send them; resolves with their MapPairs once all arrived. */
export async function matchBulk(
  m: MatchingSystem,
  run: string,
  object: 'Lead' | 'Contact',
  records: SfRecord[],
): Promise<BodyOf<typeof MapPairs>[]> {
  const ids: string[] = [];
  // The settings revision the run started with, as its scan carries it.
  const settingsRevision = RunSchema.parse((await (await m.sys.kv('runs')).getRaw(Keys.run(WS, run)))?.value).settingsRevision;
  for (let i = 0; i < records.length; i += 200) {
    const batchId = `${object}:0:${i / 200}`;
    ids.push(batchId);
    const body = { run, batchId, settingsRevision, object, records: records.slice(i, i + 200) };
    await m.sink.publish(MatchRecords, body, 'bulk', `match:${run}:${batchId}`);
  }
  return waitFor(
    () => {
      const got = m.sink.maps.filter((x) => x.body.run === run && ids.includes(x.body.batchId));
      return got.length === ids.length ? got.map((x) => x.body) : null;
    },
    { what: `${ids.length} ${object} batches mapped`, timeoutMs: 30_000 },
  );
}

export type Expected =
  { kind: 'matched'; icId: string } | { kind: 'ambiguous'; icIds: string[] } | { kind: 'unmatched' } | { kind: 'skipped' };

/**
 * What matching must decide for every Salesforce record, read from how the generator built each
 * person rather than from emails: a person's Intercom contacts are theirs, two of them make it
 * ambiguous, and a person who is both a Lead and a Contact keeps the user for the Contact.
 */
export function expectedOutcomes(gen: GeneratorOptions): {
  records: Record<'Lead' | 'Contact', SfRecord[]>;
  expected: Map<string, Expected>;
  contacts: IcContact[];
} {
  const records: Record<'Lead' | 'Contact', SfRecord[]> = { Lead: [], Contact: [] };
  const expected = new Map<string, Expected>();
  const contacts: IcContact[] = [];
  const decide = (cands: IcContact[]): Expected => {
    if (cands.length === 0) return { kind: 'unmatched' };
    if (cands.length > 1) return { kind: 'ambiguous', icIds: cands.map((c) => c.id).sort() };
    return { kind: 'matched', icId: cands[0].id };
  };
  for (const p of generatePeople(gen)) {
    const ic = p.intercom ?? [];
    contacts.push(...ic);
    const users = ic.filter((c) => c.role === 'user');
    if (p.contact) {
      records.Contact.push(p.contact);
      expected.set(p.contact.Id, decide(users));
    }
    if (p.lead) {
      records.Lead.push(p.lead);
      // The Contact took the user; an ambiguous Contact took nothing, so the Lead sees the same twins.
      const e = p.contact && users.length === 1 ? { kind: 'skipped' as const } : decide(p.contact ? users : ic);
      expected.set(p.lead.Id, e);
    }
  }
  return { records, expected, contacts };
}

/**
 * Every live key and value of a bucket under a filter. Keys come from the server's per-subject
 * stream state, not from a KV keys() listing, which on nats-server 2.9 can end early.
 */
export async function dump(sys: TestSystem, bucket: string, filter = `${WS}.>`): Promise<Map<string, unknown>> {
  const name = `peoplesync_${bucket}`;
  const jsm = await sys.nc.jetstreamManager();
  const info = await jsm.streams.info(`KV_${name}`, { subjects_filter: `$KV.${name}.${filter}` });
  const keys = Object.keys(info.state.subjects ?? {}).map((s) => s.slice(`$KV.${name}.`.length));
  const kv = await sys.kv(bucket);
  const out = new Map<string, unknown>();
  await Promise.all(
    keys.map(async (k) => {
      const v = await kv.getRaw(k);
      if (v) out.set(k, v.value);
    }),
  );
  return out;
}

/** Waits until a work consumer has nothing pending or unacknowledged. */
export async function drained(m: MatchingSystem, durable: string): Promise<void> {
  const jsm = await m.sys.nc.jetstreamManager();
  await waitFor(
    async () => {
      const info = await jsm.consumers.info('PEOPLESYNC_WORK', durable);
      return info.num_pending === 0 && info.num_ack_pending === 0;
    },
    { what: `${durable} drained` },
  );
}
