import { describe, expect, it } from 'vitest';
import { applyTier, endRun, makeRunId, newRun, newestFirst, withProgress } from '../../actors/coordinator/index.ts';

const base = () =>
  newRun({
    runId: 'r1',
    ws: 'ws1',
    startedBy: 'cli',
    dryRun: false,
    settingsRevision: 2,
    now: 10_000,
    errorsUrl: 'http://x/errors?ws=ws1',
  });

describe('run records', () => {
  it('starts running in the index phase with zero counts', () => {
    const r = base();
    expect(r).toMatchObject({ status: 'running', phase: 'index', reason: null, finishedAt: null, expectedRecords: null, percent: 0 });
    expect(Object.values(r.counts).every((n) => n === 0)).toBe(true);
  });

  it('computes percent from records scanned against the expected count, with rate and ETA', () => {
    const r = { ...base(), expectedRecords: 1_000, counts: { ...base().counts, scanned: 250 } };
    const p = withProgress(r, 15_000); // 5 s in
    expect(p.percent).toBe(25);
    expect(p.ratePerSecond).toBe(50);
    expect(p.etaSeconds).toBe(15);
  });

  it('has no percent or ETA without an expected count, and never shows 100 before completion', () => {
    const r = { ...base(), counts: { ...base().counts, scanned: 10 } };
    expect(withProgress(r, 12_000)).toMatchObject({ percent: 0, etaSeconds: null, ratePerSecond: 5 });
    const over = { ...r, expectedRecords: 5 };
    expect(withProgress(over, 12_000).percent).toBe(99.9);
    expect(withProgress({ ...over, status: 'completed' }, 12_000)).toMatchObject({ percent: 100, etaSeconds: 0 });
  });

  it('moves during the index phase: contacts listed count toward the work with the records to scan', () => {
    // 300 Intercom contacts to list, 700 Salesforce records to scan: 150 listed is 15 %.
    const r = { ...base(), expectedRecords: 700, indexTotal: 300, indexListed: 150 };
    const p = withProgress(r, 15_000);
    expect(p.percent).toBe(15);
    expect(p.etaSeconds).toBe(28);
    // Past the index phase, the listing counts whole whatever the pages said.
    const scanning = { ...r, phase: 'contacts' as const, indexListed: 290, counts: { ...r.counts, scanned: 350 } };
    expect(withProgress(scanning, 15_000).percent).toBe(65);
  });

  it('ends a run once, with reason and finish time, and never reopens it', () => {
    const stopped = endRun(base(), 'stopped', 'settings_changed', 20_000);
    expect(stopped).toMatchObject({ status: 'stopped', reason: 'settings_changed', finishedAt: 20_000, etaSeconds: null });
    expect(endRun(stopped, 'failed', 'coordinator_lost', 30_000)).toBe(stopped);
    expect(applyTier(stopped, 'bulk_paused')).toBe(stopped);
  });

  it('pauses at bulk_paused or worse and resumes at normal', () => {
    const paused = applyTier(base(), 'bulk_paused');
    expect(paused).toMatchObject({ status: 'paused', reason: 'api_capacity' });
    expect(applyTier(paused, 'exhausted')).toBe(paused);
    expect(applyTier(paused, 'normal')).toMatchObject({ status: 'running', reason: null });
    const running = base();
    expect(applyTier(running, 'normal')).toBe(running);
    expect(applyTier(running, 'event_paused').status).toBe('paused');
  });

  it('lists history newest first, limited', () => {
    const runs = [3, 1, 2].map((i) => ({ ...base(), runId: `r${i}`, startedAt: i * 1000 }));
    expect(newestFirst(runs, 2).map((r) => r.runId)).toEqual(['r3', 'r2']);
  });

  it('makes run ids that sort by time', () => {
    const a = makeRunId(1_700_000_000_000, 'aa');
    const b = makeRunId(1_700_000_000_001, 'aa');
    expect(a < b).toBe(true);
    expect(a).toMatch(/^r[0-9a-z]+aa$/);
  });
});
