// A worker flooded with poison at 100 messages a second (1 MB of nested arrays naming the running
// run, and 6.5 MB bodies) keeps its leases, and the bulk run it is running completes with exact
// counts and the exact final state: poison is refused by size at publish, or by depth at the first
// bytes, and its dead letter keeps only its beginning.
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_MAPPINGS } from '../../actors/mapping/index.ts';
import { BulkStart, BulkStatus, MatchRecords, type Run } from '../../protocol/index.ts';
import { waitFor } from '../helpers/host.ts';
import { USERS } from '../helpers/nats-server.ts';
import { type TestSystem, WS, startSystem } from '../helpers/system.ts';
import { FREE_PORT, expectedAfterRun, mismatches, snapshot } from './bulk-expected.ts';

let sys: TestSystem;
beforeAll(async () => {
  sys = await startSystem({ generator: { people: 400, oddShare: 0 }, settings: { pollIntervalSeconds: 86_400 }, config: FREE_PORT });
  const w = await sys.startWorker();
  await waitFor(() => w.host.isLeading('coordinator', WS) && w.host.isLeading('quota', WS), { what: 'leaders', timeoutMs: 10_000 });
});
afterAll(async () => {
  await sys?.stop();
});

describe('a worker flooded with poison', () => {
  it('keeps its leases and completes a valid run exactly', async () => {
    const w = sys.workers[0];
    const original = snapshot(sys.sandboxes);
    const exp = expectedAfterRun(original, DEFAULT_MAPPINGS);
    const { run } = await w.host.messenger.request(BulkStart, WS, { startedBy: 'e2e' });
    const { user, pass } = USERS.worker;
    const args = [sys.nats.url, user, pass, `peoplesync.work.${WS}.match.bulk`, MatchRecords.type, run.runId, '100'];
    const flooder = spawn(process.execPath, [join(import.meta.dirname, 'poison-flooder.mjs'), ...args], {
      stdio: ['pipe', 'pipe', 'inherit'],
    });
    let out = '';
    flooder.stdout.on('data', (d: Buffer) => (out += d.toString()));
    const exited = new Promise<void>((r) => flooder.on('exit', () => r()));
    let leading = true;
    const watch = setInterval(() => {
      leading &&= w.host.isLeading('coordinator', WS) && w.host.isLeading('quota', WS);
    }, 100);
    let done: Run;
    try {
      done = await waitFor(
        async () => {
          const r = (await w.host.messenger.request(BulkStatus, WS, {}, 5_000).catch(() => null))?.run;
          return r && r.status !== 'running' && r.status !== 'paused' ? r : null;
        },
        { what: 'run end', timeoutMs: 90_000, intervalMs: 250 },
      );
    } finally {
      clearInterval(watch);
      flooder.stdin.end();
      await exited;
    }
    const sent = Number(out.trim());
    const deepSent = sent - Math.floor(sent / 10);
    expect(done).toMatchObject({ runId: run.runId, status: 'completed' });
    expect(leading).toBe(true);
    expect(sent).toBeGreaterThan(300);
    expect(done.counts).toMatchObject({ ...exp.counts, failed: 0 });
    expect(mismatches(original, snapshot(sys.sandboxes), exp)).toEqual([]);
    // The deep ones were dead-lettered by depth, each kept as a few kilobytes; the huge ones never got in.
    const letters = await waitFor(
      async () => {
        const l = [];
        for (let after: number | null = 0; after !== null;) {
          const page = await w.host.deadLetters.list(WS, { limit: 1_000, after, filter: { reason: 'too_large' } });
          l.push(...page.letters);
          after = page.next;
        }
        return l.length >= deepSent ? l : null;
      },
      { what: 'the letters of the deep messages', timeoutMs: 30_000 },
    );
    expect(letters.every((l) => l.truncated && l.size === 1_000_000 && /deeper than/.test(l.error))).toBe(true);
  });
});
