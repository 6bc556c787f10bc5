// One valid body per message type: the codec test requires a fixture for every registered type,
// so a new type without one fails the suite.
const run = {
  runId: 'r1', ws: 'ws1', status: 'running', phase: 'contacts', reason: null, dryRun: false, startedBy: 'ann',
  startedAt: 1_700_000_000_000, finishedAt: null, settingsRevision: 3, indexContacts: 10, expectedRecords: 20,
  counts: { scanned: 1, inCommon: 1, unmatched: 0, ambiguous: 0, skipped: 0, updatedSalesforce: 1, updatedIntercom: 0, unchanged: 0, failed: 0, wouldUpdateSalesforce: 0, wouldUpdateIntercom: 0 },
  percent: 5, ratePerSecond: 100, etaSeconds: 3, sample: [], errorsUrl: 'http://x/errors',
};
const sf = { Id: '00Q000000000000001', SystemModstamp: '2024-01-01T00:00:00.000+0000', Email: 'a@b.c', Title: 'CTO' };
const ic = { id: '65f0c0ffee00000000000001', role: 'lead', email: 'a@b.c', updated_at: 1_700_000_000, custom_attributes: { plan: 'Pro' }, name: 'Ann' };
const change = { attribute: 'Title', from: null, to: 'CTO', direction: 'intercom_to_salesforce' };
const usage = {
  ws: 'ws1', orgLimit: 15_000, orgUsed: 100, definedLimit: 1_000, usedByWorkspace: 50, usedByOthers: 50, remaining: 950,
  consumptionPercent: 5, tier: 'normal', orgExhausted: false, warning: null, at: 1,
};

export const FIXTURES: Record<string, unknown> = {
  'index.refresh.v1': { run: 'r1', page: 0, cursor: null },
  'scan.page.v1': { run: 'r1', object: 'Lead', page: 2, afterId: '00Q000000000000001' },
  'scan.changes.v1': { object: 'Contact', tick: 12 },
  'icpoll.tick.v1': { tick: 12 },
  'match.records.v1': { run: 'r1', batchId: 'Lead:0:0', object: 'Lead', records: [sf] },
  'match.contacts.v1': { contacts: [ic], source: 'webhook' },
  'match.resync.v1': { email: 'a@b.c', errorIds: ['e1'] },
  'map.pairs.v1': { run: 'r1', batchId: 'Lead:0:0', settingsRevision: 3, dryRun: false, pairs: [{ object: 'Lead', sf, ic }], scanned: 1, unmatched: 0, ambiguous: 0, skipped: 0, errorIds: [] },
  'sfwrite.batch.v1': { run: 'r1', batchId: 'Lead:0:0', part: 0, settingsRevision: 3, errorIds: [], updates: [{ object: 'Lead', id: sf.Id, fields: { Title: 'CTO' }, icId: ic.id, changes: [change] }] },
  'icwrite.batch.v1': { batchId: 'evt:1', part: 0, settingsRevision: 3, errorIds: [], updates: [{ id: ic.id, patch: { custom_attributes: { plan: 'Pro' } }, sfObject: 'Lead', sfId: sf.Id, changes: [{ ...change, direction: 'salesforce_to_intercom' }] }] },
  'record.synced.v1': { direction: 'intercom_to_salesforce', syncType: 'bulk', run: 'r1', settingsRevision: 3, sfObject: 'Lead', sfId: sf.Id, icId: ic.id, changes: [change], at: 1 },
  'coord.index-refreshed.v1': { run: 'r1', contacts: 10, pages: 1 },
  'coord.page-scanned.v1': { run: 'r1', object: 'Lead', page: 0, records: 1, batchIds: ['Lead:0:0'], last: true },
  'coord.batch-mapped.v1': { run: 'r1', batchId: 'Lead:0:0', scanned: 1, inCommon: 1, unmatched: 0, ambiguous: 0, skipped: 0, unchanged: 0, failed: 0, parts: [{ system: 'salesforce', part: 0, records: 1 }], wouldUpdate: { salesforce: 0, intercom: 0 }, sample: [] },
  'coord.part-written.v1': { run: 'r1', batchId: 'Lead:0:0', system: 'salesforce', part: 0, updated: 1, failed: 0 },
  'bulk.progress.v1': run,
  'bulk.finished.v1': { ...run, status: 'completed', phase: 'done', finishedAt: 1_700_000_100_000 },
  'quota.release.v1': { grantId: 'g1', unused: 3, at: 1 },
  'quota.usage.v1': { calls: 2, orgUsed: 100, orgMax: 15_000, limitExceeded: false, at: 1 },
  'quota.tier-changed.v1': { tier: 'bulk_paused', previous: 'normal', consumptionPercent: 40, at: 1 },
  'quota.usage-reported.v1': usage,
  'errors.report.v1': { syncType: 'bulk', direction: 'intercom_to_salesforce', sfObject: 'Lead', sfId: sf.Id, icId: ic.id, attributes: ['City'], cause: 'field_too_long', message: 'City: data value too large', details: { statusCode: 'STRING_TOO_LONG' }, run: 'r1', at: 1 },
  'errors.resolved.v1': { errorIds: ['e1'], sfId: sf.Id, icId: ic.id, direction: null, at: 1 },
  'settings.saved.v1': { revision: 4, sfApiLimit: 1000, savedBy: 'ann', at: 1 },
  'notify.run-finished.v1': { run, to: 'installer@example.com' },
};
