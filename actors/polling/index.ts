// The polling actors' face: the pool that reads, the per-workspace poll clock, and the pure plan.
export { pollingActor, pollSchedulerActor, changeEventsActor } from './actor.ts';
export { GATHER_MS } from './change-stream.ts';
export {
  PAGE_SIZE,
  BATCH_SIZE,
  IC_SEARCH_LAG_SECONDS,
  DEFAULT_POLL_INTERVAL_SECONDS,
  ZERO_ID,
  splitBatches,
  bulkBatchId,
  bulkMsgIds,
  changeBatchId,
  nextChangesMsgId,
  storableCursor,
  compareCursors,
  pollMsgId,
  icBatchMsgId,
  sfDateTime,
  startCursor,
  icStart,
  icSearchFrom,
  type IcCursor,
} from './plan.ts';
