// The LMDB run store is a local file, no server: exactly-once counting across redeliveries and a
// reopened store.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { newRun } from '../../actors/coordinator/index.ts';
import { RunStore } from '../../actors/coordinator/store.ts';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'ps-coord-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

const run = () => newRun({ runId: 'r1', ws: 'ws1', startedBy: 't', dryRun: false, settingsRevision: 1, now: 0, errorsUrl: null });
const mapped = {
  run: 'r1',
  batchId: 'Contact:0:0',
  scanned: 200,
  inCommon: 150,
  unmatched: 50,
  ambiguous: 0,
  skipped: 0,
  unchanged: 100,
  failed: 2,
  parts: [{ system: 'salesforce' as const, part: 0, records: 48 }],
  wouldUpdate: { salesforce: 0, intercom: 0 },
  sample: [],
};

describe('coordinator run store', () => {
  it('counts a redelivered report once and replays its effects', () => {
    const store = RunStore.open(join(dir, 'c.lmdb'));
    store.create(run());
    const first = store.record('r1', { kind: 'indexed', body: { run: 'r1', contacts: 5, pages: 1 } }, 1);
    expect(first).toMatchObject({ duplicate: false, changed: true, effects: [{ kind: 'scan', object: 'Contact' }] });
    const again = store.record('r1', { kind: 'indexed', body: { run: 'r1', contacts: 5, pages: 1 } }, 2);
    expect(again).toMatchObject({ duplicate: true, effects: [{ kind: 'scan', object: 'Contact' }] });
    for (let i = 0; i < 3; i++) store.record('r1', { kind: 'mapped', body: mapped }, 3);
    expect(store.tally('r1')?.run.counts).toMatchObject({ scanned: 200, inCommon: 150, unmatched: 50, unchanged: 100, failed: 2 });
    return store.close();
  });

  it('keeps counts across a reopen and forgets per-batch entries of an ended run', async () => {
    let store = RunStore.open(join(dir, 'c.lmdb'));
    store.create(run());
    store.record('r1', { kind: 'mapped', body: mapped }, 3);
    await store.close();
    store = RunStore.open(join(dir, 'c.lmdb'));
    store.record('r1', { kind: 'mapped', body: mapped }, 3);
    expect(store.tally('r1')?.run.counts.scanned).toBe(200);
    expect(store.forget('r1')).toBe(2); // the batch and the seen key
    expect(store.tally('r1')?.run.runId).toBe('r1');
    expect(store.record('nope', { kind: 'mapped', body: { ...mapped, run: 'nope' } }, 3)).toMatchObject({ tally: null });
    // Reports arriving after the run ended count nothing and leave nothing behind.
    store.update('r1', (t) => ({ ...t, run: { ...t.run, status: 'stopped' } }));
    expect(store.record('r1', { kind: 'mapped', body: { ...mapped, batchId: 'Lead:0:0' } }, 4)).toMatchObject({ effects: [] });
    expect(store.tally('r1')?.run.counts.scanned).toBe(200);
    expect(store.forget('r1')).toBe(0);
    // A write that had started before the stop still counts, once however often it is delivered.
    const late = {
      kind: 'written' as const,
      body: { run: 'r1', batchId: 'Lead:0:0', system: 'intercom' as const, part: 0, updated: 7, failed: 1 },
    };
    expect(store.record('r1', late, 5)).toMatchObject({ duplicate: false, changed: true, effects: [] });
    expect(store.record('r1', late, 6)).toMatchObject({ duplicate: true });
    expect(store.tally('r1')?.run).toMatchObject({ status: 'stopped', counts: { updatedIntercom: 7, failed: 3 } });
    await store.close();
  });
});
