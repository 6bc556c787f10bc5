// The quota leader dies mid-stream (its connection drops: no lease released, nothing flushed)
// while four loops race for bulk tokens and spend them on real Salesforce reads. Another worker
// takes over within a few seconds from the stored state, and the grants on both sides of the
// handover together stay within the bulk threshold plus one lease.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { leaseMaxFor, thresholdFor } from '../../actors/quota/index.ts';
import { QuotaRefusedError } from '../../runtime/index.ts';
import type { Worker } from '../../cli/worker.ts';
import { type TestSystem, WS, startSystem } from '../helpers/system.ts';
import { waitFor } from '../helpers/host.ts';
import { indicator, probes, settled } from './quota-helpers.ts';

const LIMIT = 2_000;
const LEASE = leaseMaxFor(LIMIT); // 20
const BULK_AT = thresholdFor('bulk', LIMIT); // 800

let sys: TestSystem;
let a: Worker;
let b: Worker;
beforeAll(async () => {
  sys = await startSystem({ generator: { people: 20 }, settings: { sfApiLimit: LIMIT } });
  a = await sys.startWorker(['quota']);
  await waitFor(() => a.host.isLeading('quota', WS), { what: 'a leading' });
  b = await sys.startWorker(['quota', 'quota-probe']);
  await settled(sys);
});
afterAll(async () => {
  await sys?.stop();
});

interface Seen {
  n: number;
  at: number;
  byB: boolean;
}

describe('quota leader failover', () => {
  it('hands over within a few seconds without granting twice', async () => {
    const probe = probes[0];
    const sf = probe.deps.salesforce(WS);
    await sf.connect(); // the token request, outside any lease (not charged by Salesforce)

    const seen: Seen[] = [];
    let killedAt = 0;
    const granted = () => seen.reduce((s, g) => s + g.n, 0);
    const loop = async () => {
      for (;;) {
        try {
          await probe.withTokens('bulk', LEASE, async (lease) => {
            seen.push({ n: lease.granted, at: Date.now(), byB: b.host.isLeading('quota', WS) });
            for (let i = 0; i < lease.granted; i++) await sf.readPage('Contact', ['Id'], { limit: 1 });
          });
        } catch (err) {
          if (err instanceof QuotaRefusedError && err.tier === 'bulk_paused') return;
          // During the handover no leader answers, or the new one is still loading: ask again.
          await new Promise((r) => setTimeout(r, 50));
        }
      }
    };
    const loops = [loop(), loop(), loop(), loop()];
    await waitFor(() => granted() >= 300, { what: '300 tokens granted by the first leader' });
    killedAt = Date.now();
    await a.nc.close();
    await Promise.all(loops);

    const fromA = seen.filter((g) => !g.byB);
    const fromB = seen.filter((g) => g.byB);
    expect(fromA.length).toBeGreaterThan(0);
    expect(fromB.length).toBeGreaterThan(0);
    // b never led before a died; it led within the lease's expiry plus one TTL of waiting (and a
    // little for the attempts).
    expect(fromB[0].at).toBeGreaterThan(killedAt);
    expect(fromB[0].at - killedAt).toBeLessThan(2 * sys.config.leaseTtlMs + 2_000);

    // Every grant, across both leaders.
    expect(granted()).toBeLessThanOrEqual(BULK_AT + LEASE);
    // The new leader counts all of it, leases lost with the old leader included, and no more.
    const final = await indicator(sys);
    expect(final.usedByWorkspace).toBe(BULK_AT);
    expect(final.usedByWorkspace).toBeGreaterThanOrEqual(granted());
    expect(final.tier).toBe('bulk_paused');
  });

  it('keeps granting while its leader is killed every 4 seconds', async () => {
    const KILLS = 4;
    const EVERY_MS = 4_000;
    // The probe lives in a worker that never leads quota; three more workers can take over.
    const asker = await sys.startWorker(['quota-probe']);
    const probe = probes[probes.length - 1];
    for (let i = 0; i < 3; i++) await sys.startWorker(['quota']);
    const grants: number[] = [];
    let asking = true;
    const loop = (async () => {
      while (asking) {
        try {
          // Unspent and given back, so the budget never runs out however long this goes on.
          await probe.withTokens('event', 1, async () => {
            grants.push(Date.now());
          });
        } catch {
          // no leader answering, or a refusal: ask again
        }
        await new Promise((r) => setTimeout(r, 50));
      }
    })();
    const kills: number[] = [];
    try {
      await waitFor(() => grants.length > 0, { what: 'a first grant' });
      for (let i = 0; i < KILLS; i++) {
        const leader = await waitFor(() => sys.workers.find((w) => w !== asker && !w.nc.isClosed() && w.host.isLeading('quota', WS)), {
          what: `a quota leader before kill ${i + 1}`,
        });
        kills.push(Date.now());
        await leader.nc.close(); // killed: no lease released, nothing flushed
        await sys.startWorker(['quota']); // and a new process comes up, as a supervisor would do
        await new Promise((r) => setTimeout(r, EVERY_MS));
      }
      // The last window ends as the others do, once a process leads again (each kill above first
      // waits for one): and it has granted, or the check below says it did not.
      await waitFor(() => sys.workers.some((w) => w !== asker && !w.nc.isClosed() && w.host.isLeading('quota', WS)), {
        what: 'a quota leader after the last kill',
      });
      await waitFor(() => grants.some((at) => at > kills[KILLS - 1]), { what: 'a grant after the last kill' }).catch(() => undefined);
    } finally {
      asking = false;
      await loop;
    }
    kills.push(Date.now());
    // Between one kill and the next, the new leader granted.
    for (let i = 0; i < KILLS; i++) {
      expect(
        grants.some((at) => at > kills[i] && at < kills[i + 1]),
        `grants between kill ${i + 1} and the next`,
      ).toBe(true);
    }
    const final = await settled(sys);
    expect(final.usedByWorkspace).toBeLessThanOrEqual(thresholdFor('event', LIMIT));
  });
});
