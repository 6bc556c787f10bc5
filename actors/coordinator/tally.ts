// The counting transition of a bulk run: one report in, the next state and what to do out. Pure:
// the store decides whether a report was seen before and persists what this returns, so a
// redelivered report is never counted twice and the same report always yields the same result.
import type {
  BodyOf,
  BatchMapped,
  IndexPageListed,
  IndexRefreshed,
  PageScanned,
  PartWritten,
  Run,
  SfObject,
} from '../../protocol/index.ts';

export type Report =
  | { kind: 'indexPage'; body: BodyOf<typeof IndexPageListed> }
  | { kind: 'indexed'; body: BodyOf<typeof IndexRefreshed> }
  | { kind: 'scanned'; body: BodyOf<typeof PageScanned> }
  | { kind: 'mapped'; body: BodyOf<typeof BatchMapped> }
  | { kind: 'written'; body: BodyOf<typeof PartWritten> };

/** Scan progress of one object: pages reported, the last page once known, batches done. */
export interface ObjectTally {
  pages: number;
  lastPage: number | null;
  /** Batches listed by PageScanned reports. */
  listed: number;
  /** Listed batches whose mapping and every write part have reported. */
  done: number;
}

export interface RunTally {
  run: Run;
  /** IndexRefreshed arrived: the Contact scan may begin. */
  indexed: boolean;
  objects: Record<SfObject, ObjectTally>;
}

/** A batch's reports may arrive in any order (a part can be written before the coordinator sees
 * its BatchMapped), so each fact is kept separately and "done" is derived. */
export interface BatchTally {
  object: SfObject | null;
  listed: boolean;
  mapped: boolean;
  /** Part keys (`salesforce:0`) the mapping announced. */
  parts: string[];
  /** Part keys that reported. */
  written: string[];
  done: boolean;
}

export type Effect = { kind: 'scan'; object: SfObject } | { kind: 'finished' };

export interface Step {
  tally: RunTally;
  /** Batch tallies to store (only those that changed). */
  batches: Record<string, BatchTally>;
  effects: Effect[];
  /** Status or phase changed: publish at once rather than with the next progress tick. */
  changed: boolean;
}

export const SAMPLE_SIZE = 5;
const ACTIVE = new Set(['running', 'paused']);

export function isActive(run: Pick<Run, 'status'>): boolean {
  return ACTIVE.has(run.status);
}

/** The identity of a report: the same key twice means a redelivery. */
export function reportKey(r: Report): string {
  switch (r.kind) {
    case 'indexPage':
      return `index-page:${r.body.page}`;
    case 'indexed':
      return 'indexed';
    case 'scanned':
      return `scanned:${r.body.object}:${r.body.page}`;
    case 'mapped':
      return `mapped:${r.body.batchId}`;
    case 'written':
      return `written:${r.body.batchId}:${r.body.system}:${r.body.part}`;
  }
}

/** Batch ids whose tallies `applyReport` needs for this report. */
export function batchIdsOf(r: Report): string[] {
  switch (r.kind) {
    case 'indexPage':
    case 'indexed':
      return [];
    case 'scanned':
      return r.body.batchIds;
    case 'mapped':
    case 'written':
      return [r.body.batchId];
  }
}

export function emptyObjectTally(): ObjectTally {
  return { pages: 0, lastPage: null, listed: 0, done: 0 };
}

export function newTally(run: Run): RunTally {
  return { run, indexed: false, objects: { Contact: emptyObjectTally(), Lead: emptyObjectTally() } };
}

export function emptyBatch(): BatchTally {
  return { object: null, listed: false, mapped: false, parts: [], written: [], done: false };
}

function batchDone(b: BatchTally): boolean {
  return b.mapped && b.parts.every((p) => b.written.includes(p));
}

/** Every page of the object reported and every batch they listed fully done. */
export function objectComplete(o: ObjectTally): boolean {
  return o.lastPage !== null && o.pages === o.lastPage + 1 && o.done === o.listed;
}

/** Whether a report still counts once its run has ended: a write part's, since a write that had
 * started before the stop reached the service and is reported after it. Nothing else does: the
 * run's leftover items are dropped unexecuted. */
export function countsAfterEnd(report: Report): boolean {
  return report.kind === 'written';
}

/** Apply one report that has not been counted before. A run that is no longer active only adds
 * what its last writes did (updated and failed records), and moves no phase. */
export function applyReport(tally: RunTally, batches: Record<string, BatchTally | undefined>, report: Report, now: number): Step {
  if (!isActive(tally.run)) {
    if (report.kind !== 'written' || (report.body.updated === 0 && report.body.failed === 0)) {
      return { tally, batches: {}, effects: [], changed: false };
    }
    const run = { ...tally.run, counts: { ...tally.run.counts } };
    if (report.body.system === 'salesforce') run.counts.updatedSalesforce += report.body.updated;
    else run.counts.updatedIntercom += report.body.updated;
    run.counts.failed += report.body.failed;
    return { tally: { ...tally, run }, batches: {}, effects: [], changed: true };
  }
  const t: RunTally = {
    run: { ...tally.run, counts: { ...tally.run.counts } },
    indexed: tally.indexed,
    objects: { Contact: { ...tally.objects.Contact }, Lead: { ...tally.objects.Lead } },
  };
  const touched: Record<string, BatchTally> = {};
  const batch = (id: string): BatchTally => {
    touched[id] ??= cloneBatch(batches[id] ?? emptyBatch());
    return touched[id];
  };
  switch (report.kind) {
    case 'indexPage':
      t.run.indexListed += report.body.contacts;
      t.run.indexTotal = report.body.total;
      break;
    case 'indexed':
      t.run.indexContacts = report.body.contacts;
      t.indexed = true;
      break;
    case 'scanned':
      onScanned(t, report.body, batch);
      break;
    case 'mapped':
      onMapped(t, report.body, batch(report.body.batchId));
      break;
    case 'written':
      onWritten(t, report.body, batch(report.body.batchId));
      break;
  }
  for (const b of Object.values(touched)) settleBatch(t, b);
  const { effects, changed } = advancePhase(t, now);
  return { tally: t, batches: touched, effects, changed };
}

function cloneBatch(b: BatchTally): BatchTally {
  return { ...b, parts: [...b.parts], written: [...b.written] };
}

function onScanned(t: RunTally, body: BodyOf<typeof PageScanned>, batch: (id: string) => BatchTally): void {
  const o = t.objects[body.object];
  o.pages += 1;
  if (body.last) o.lastPage = body.page;
  for (const id of body.batchIds) {
    const b = batch(id);
    if (b.listed) continue;
    b.listed = true;
    b.object = body.object;
    o.listed += 1;
  }
}

function onMapped(t: RunTally, body: BodyOf<typeof BatchMapped>, b: BatchTally): void {
  const c = t.run.counts;
  c.scanned += body.scanned;
  c.inCommon += body.inCommon;
  c.unmatched += body.unmatched;
  c.ambiguous += body.ambiguous;
  c.skipped += body.skipped;
  c.unchanged += body.unchanged;
  c.failed += body.failed;
  c.wouldUpdateSalesforce += body.wouldUpdate.salesforce;
  c.wouldUpdateIntercom += body.wouldUpdate.intercom;
  if (t.run.sample.length < SAMPLE_SIZE && body.sample.length) {
    t.run.sample = [...t.run.sample, ...body.sample].slice(0, SAMPLE_SIZE);
  }
  b.mapped = true;
  b.parts = body.parts.map((p) => `${p.system}:${p.part}`);
}

function onWritten(t: RunTally, body: BodyOf<typeof PartWritten>, b: BatchTally): void {
  const c = t.run.counts;
  if (body.system === 'salesforce') c.updatedSalesforce += body.updated;
  else c.updatedIntercom += body.updated;
  c.failed += body.failed;
  const key = `${body.system}:${body.part}`;
  if (!b.written.includes(key)) b.written.push(key);
}

/** Counts a batch as done for its object once it is both listed and complete, exactly once. */
function settleBatch(t: RunTally, b: BatchTally): void {
  if (b.done || !b.listed || !b.object || !batchDone(b)) return;
  b.done = true;
  t.objects[b.object].done += 1;
}

/** index -> contacts (scan all Contacts) -> leads (only once every Contact batch is mapped and
 * written, so links decide Lead vs Contact) -> done. */
function advancePhase(t: RunTally, now: number): { effects: Effect[]; changed: boolean } {
  const effects: Effect[] = [];
  const start = t.run.phase;
  if (t.run.phase === 'index' && t.indexed) {
    t.run.phase = 'contacts';
    effects.push({ kind: 'scan', object: 'Contact' });
  }
  if (t.run.phase === 'contacts' && objectComplete(t.objects.Contact)) {
    t.run.phase = 'leads';
    effects.push({ kind: 'scan', object: 'Lead' });
  }
  if (t.run.phase === 'leads' && objectComplete(t.objects.Lead)) {
    t.run.phase = 'done';
    t.run.status = 'completed';
    t.run.finishedAt = now;
    t.run.percent = 100;
    t.run.etaSeconds = 0;
    effects.push({ kind: 'finished' });
  }
  return { effects, changed: t.run.phase !== start };
}
