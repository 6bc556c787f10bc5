// The quota actor's face. For now: its pure logic (tier arithmetic and the usage window); the
// actor itself joins here later.
export {
  consumption, tierOf, thresholdFor, classAllowed, leaseMaxFor, grantable, warningFor,
  REQUEST_CLASSES, STOP_PERCENT, WARNING_SOON, WARNING_EXHAUSTED,
  type RequestClass, type Tier, type OrgUsage,
} from './tiers.ts';
export { UsageWindow, WINDOW_MINUTES, type UsageWindowSnapshot } from './usage-window.ts';
