// A run's counts told again from what outlives any process: the reports its coordinators counted
// (bucket `reports`) and what the writers recorded of each write item (bucket `writes`). Pure.
// Counts are sums over distinct reports and items, so the same records always give the same counts
// whichever process adds them up, and whenever.
import type { RunCounts, WriteRecord } from '../../protocol/index.ts';
import { emptyCounts } from './run-state.ts';
import type { Report } from './tally.ts';

export interface Recount {
  counts: RunCounts;
  indexContacts: number;
}

/** Batch mapping reports give what was scanned, matched and diffed; each write item gives what it
 * wrote from its record, or from its report when no record is left (an old run's records expire). */
export function recount(reports: Iterable<Report>, writes: Iterable<WriteRecord>): Recount {
  const c = emptyCounts();
  let indexContacts = 0;
  const parts = new Map<string, { updated: number; failed: number; salesforce: boolean }>();
  for (const r of reports) {
    if (r.kind === 'indexed') indexContacts = r.body.contacts;
    if (r.kind === 'mapped') {
      const b = r.body;
      c.scanned += b.scanned;
      c.inCommon += b.inCommon;
      c.unmatched += b.unmatched;
      c.ambiguous += b.ambiguous;
      c.skipped += b.skipped;
      c.unchanged += b.unchanged;
      c.failed += b.failed;
      c.wouldUpdateSalesforce += b.wouldUpdate.salesforce;
      c.wouldUpdateIntercom += b.wouldUpdate.intercom;
    }
    if (r.kind === 'written') {
      const b = r.body;
      parts.set(`${b.system}:${b.batchId}:${b.part}`, { updated: b.updated, failed: b.failed, salesforce: b.system === 'salesforce' });
    }
  }
  for (const w of writes) {
    const settled = new Set([...w.written, ...w.failed.map((f) => f.id)]);
    c.inDoubt += new Set(w.sent.filter((id) => !settled.has(id))).size;
    parts.set(`${w.system}:${w.batchId}:${w.part}`, {
      updated: w.written.length,
      failed: w.failed.length,
      salesforce: w.system === 'salesforce',
    });
  }
  for (const p of parts.values()) {
    if (p.salesforce) c.updatedSalesforce += p.updated;
    else c.updatedIntercom += p.updated;
    c.failed += p.failed;
  }
  return { counts: c, indexContacts };
}
