import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import {
  type BatchTally,
  type Report,
  type RunTally,
  applyReport,
  batchIdsOf,
  newRun,
  newTally,
  reportKey,
} from '../../actors/coordinator/index.ts';

const RUN = 'r1';

function tally(): RunTally {
  return newTally(newRun({ runId: RUN, ws: 'ws1', startedBy: 't', dryRun: false, settingsRevision: 3, now: 1_000, errorsUrl: null }));
}

const indexed = (contacts = 10): Report => ({ kind: 'indexed', body: { run: RUN, contacts, pages: 1 } });
const scanned = (object: 'Lead' | 'Contact', page: number, batchIds: string[], last: boolean): Report => ({
  kind: 'scanned',
  body: { run: RUN, object, page, records: batchIds.length * 2, batchIds, last },
});
type Mapped = Extract<Report, { kind: 'mapped' }>;
const mapped = (batchId: string, parts: Array<['salesforce' | 'intercom', number]>, extra: Partial<Mapped['body']> = {}): Mapped => ({
  kind: 'mapped',
  body: {
    run: RUN,
    batchId,
    scanned: 2,
    inCommon: 2,
    unmatched: 0,
    ambiguous: 0,
    skipped: 0,
    unchanged: 1,
    failed: 0,
    parts: parts.map(([system, part]) => ({ system, part, records: 1 })),
    wouldUpdate: { salesforce: 0, intercom: 0 },
    sample: [],
    ...extra,
  },
});
const written = (batchId: string, system: 'salesforce' | 'intercom', part: number, updated = 1, failed = 0): Report => ({
  kind: 'written',
  body: { run: RUN, batchId, system, part, updated, failed },
});

/** Apply reports the way the store does: each report once, batch tallies carried along. */
function replay(reports: Report[], start = tally()) {
  let t = start;
  const batches: Record<string, BatchTally> = {};
  const effects: string[] = [];
  const seen = new Set<string>();
  for (const r of reports) {
    if (seen.has(reportKey(r))) continue;
    seen.add(reportKey(r));
    const step = applyReport(t, Object.fromEntries(batchIdsOf(r).map((id) => [id, batches[id]])), r, 5_000);
    t = step.tally;
    Object.assign(batches, step.batches);
    for (const e of step.effects) effects.push(e.kind === 'scan' ? `scan:${e.object}` : e.kind);
  }
  return { t, effects, batches };
}

const fullRun: Report[] = [
  indexed(),
  scanned('Contact', 0, ['Contact:0:0', 'Contact:0:1'], false),
  scanned('Contact', 1, ['Contact:1:0'], true),
  mapped('Contact:0:0', [
    ['salesforce', 0],
    ['intercom', 0],
  ]),
  mapped('Contact:0:1', []),
  mapped('Contact:1:0', [['intercom', 0]]),
  written('Contact:0:0', 'salesforce', 0, 1),
  written('Contact:0:0', 'intercom', 0, 1),
  written('Contact:1:0', 'intercom', 0, 0, 1),
  scanned('Lead', 0, ['Lead:0:0'], true),
  mapped('Lead:0:0', [['salesforce', 0]]),
  written('Lead:0:0', 'salesforce', 0, 1),
];

describe('bulk run counting', () => {
  it('moves index -> contacts -> leads -> done and counts every report once', () => {
    const { t, effects } = replay(fullRun);
    expect(effects).toEqual(['scan:Contact', 'scan:Lead', 'finished']);
    expect(t.run.status).toBe('completed');
    expect(t.run.phase).toBe('done');
    expect(t.run.finishedAt).toBe(5_000);
    expect(t.run.indexContacts).toBe(10);
    expect(t.run.counts).toMatchObject({ scanned: 8, inCommon: 8, unchanged: 4, updatedSalesforce: 2, updatedIntercom: 1, failed: 1 });
    expect(t.objects.Contact).toEqual({ pages: 2, lastPage: 1, listed: 3, done: 3 });
  });

  it('counts the index pages listed (once each) and the total Intercom reported, in the index phase', () => {
    const page = (n: number, contacts: number): Report => ({ kind: 'indexPage', body: { run: RUN, page: n, contacts, total: 300 } });
    const { t, effects } = replay([page(0, 150), page(1, 150), page(1, 150)]);
    expect(effects).toEqual([]);
    expect(t.run).toMatchObject({ phase: 'index', indexListed: 300, indexTotal: 300 });
    expect(reportKey(page(1, 150))).toBe('index-page:1');
  });

  it('does not scan Leads while a Contact batch still has a part to write', () => {
    const withoutLastPart = fullRun.filter((r) => !(r.kind === 'written' && r.body.batchId === 'Contact:1:0'));
    const { t, effects } = replay(withoutLastPart.slice(0, 8));
    expect(effects).toEqual(['scan:Contact']);
    expect(t.run.phase).toBe('contacts');
    const done = replay([...withoutLastPart.slice(0, 8), written('Contact:1:0', 'intercom', 0)]);
    expect(done.effects).toEqual(['scan:Contact', 'scan:Lead']);
  });

  it('waits for every page when the last page reports before an earlier one', () => {
    const { effects } = replay([indexed(), scanned('Contact', 1, [], true)]);
    expect(effects).toEqual(['scan:Contact']);
    const both = replay([indexed(), scanned('Contact', 1, [], true), scanned('Contact', 0, [], false)]);
    expect(both.effects).toEqual(['scan:Contact', 'scan:Lead']);
  });

  it('treats an empty object as scanned at once', () => {
    const { t, effects } = replay([indexed(0), scanned('Contact', 0, [], true), scanned('Lead', 0, [], true)]);
    expect(effects).toEqual(['scan:Contact', 'scan:Lead', 'finished']);
    expect(t.run.status).toBe('completed');
  });

  it('changes nothing for a run that is no longer active but what its last writes did', () => {
    const stopped = tally();
    stopped.run = { ...stopped.run, status: 'stopped', reason: 'user' };
    const step = applyReport(stopped, {}, indexed(), 2_000);
    expect(step.tally).toBe(stopped);
    expect(step.effects).toEqual([]);
    // A write that had started before the stop reports after it: what reached Intercom counts.
    const late = applyReport(stopped, {}, written('Contact:0:0', 'intercom', 0), 2_000);
    expect(late.tally.run).toMatchObject({ status: 'stopped', phase: stopped.run.phase });
    expect(late.tally.run.counts.updatedIntercom).toBe(stopped.run.counts.updatedIntercom + 1);
    expect([late.effects, late.changed]).toEqual([[], true]);
  });

  it('counts a paused run like a running one', () => {
    const paused = tally();
    paused.run = { ...paused.run, status: 'paused', reason: 'api_capacity' };
    const step = applyReport(paused, {}, indexed(4), 2_000);
    expect(step.tally.run.phase).toBe('contacts');
    expect(step.tally.run.status).toBe('paused');
  });

  it('keeps at most five diff samples and sums dry-run counts', () => {
    const sample = (i: number) => ({ sfObject: 'Lead' as const, sfId: `00Q${i}`, icId: `ic${i}`, changes: [] });
    const reports = [0, 1, 2].map((i) =>
      mapped(`Lead:0:${i}`, [], {
        wouldUpdate: { salesforce: 2, intercom: 1 },
        sample: [sample(3 * i), sample(3 * i + 1), sample(3 * i + 2)],
      }),
    );
    const { t } = replay([indexed(), ...reports]);
    expect(t.run.sample.map((s) => s.sfId)).toEqual(['00Q0', '00Q1', '00Q2', '00Q3', '00Q4']);
    expect(t.run.counts.wouldUpdateSalesforce).toBe(6);
    expect(t.run.counts.wouldUpdateIntercom).toBe(3);
  });

  it('gives a redelivered report the same key, and different reports different keys', () => {
    const keys = fullRun.map(reportKey);
    expect(new Set(keys).size).toBe(keys.length);
    expect(reportKey(written('Contact:0:0', 'salesforce', 0, 5))).toBe(reportKey(written('Contact:0:0', 'salesforce', 0, 1)));
  });

  it('reaches the same final counts, finishing exactly once, in any order and with any redelivery', () => {
    const expected = replay(fullRun).t.run.counts;
    fc.assert(
      fc.property(
        fc.shuffledSubarray(fullRun.slice(1), { minLength: fullRun.length - 1, maxLength: fullRun.length - 1 }),
        fc.array(fc.nat(fullRun.length - 1), { maxLength: 6 }),
        (order, dups) => {
          const reports = [indexed(), ...order, ...dups.map((i) => fullRun[i])];
          const { t, effects } = replay(reports);
          expect(t.run.counts).toEqual(expected);
          expect(effects.filter((e) => e === 'finished')).toHaveLength(1);
          // Leads are only scanned after every Contact batch: the effect order never changes.
          expect(effects).toEqual(['scan:Contact', 'scan:Lead', 'finished']);
        },
      ),
      { numRuns: 300 },
    );
  });
});
