// The quota actor's face: the actor, its ledger and store, and its pure logic (tier arithmetic
// and the usage window).
export {
  consumption,
  tierOf,
  thresholdFor,
  classAllowed,
  leaseMaxFor,
  grantable,
  warningFor,
  REQUEST_CLASSES,
  STOP_PERCENT,
  FIRST_RUN_CALLS,
  WARNING_SOON,
  WARNING_EXHAUSTED,
  type RequestClass,
  type Tier,
  type OrgUsage,
} from './tiers.ts';
export { UsageWindow, WINDOW_MINUTES, type UsageWindowSnapshot } from './usage-window.ts';
export {
  Ledger,
  DEFAULT_LEDGER_TIMING,
  MAX_OPEN_GRANTS,
  type Grant,
  type OrgView,
  type UsageReport,
  type Decision,
  type LedgerTiming,
  type LedgerSnapshot,
} from './ledger.ts';
export { LedgerStore, QuotaFencedError } from './store.ts';
export { QuotaLeader, DEFAULT_QUOTA_OPTIONS, type QuotaOptions } from './leader.ts';
export { createQuotaActor, quotaActor } from './actor.ts';
