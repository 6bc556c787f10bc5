// Polling: a pool that reads Salesforce (bulk pages, changes) and Intercom (changes), and a
// separate singleton per workspace that only keeps the poll clock, so the reading scales out.
import { PollIntercom, ScanChanges, ScanPage, TierChanged } from '../../protocol/index.ts';
import { type ActorDef, on, onEvent } from '../../runtime/index.ts';
import { handlePollIntercom } from './intercom-poll.ts';
import { handleScanChanges } from './changes.ts';
import { handleScanPage } from './scan.ts';
import { ChangeStream } from './change-stream.ts';
import { PollSchedule } from './scheduler.ts';

export const pollingActor: ActorDef = {
  name: 'polling',
  queues: [
    { stage: 'scan', classes: ['bulk', 'event'], handlers: [on(ScanPage, handleScanPage), on(ScanChanges, handleScanChanges)] },
    { stage: 'icpoll', classes: ['event'], concurrency: 2, handlers: [on(PollIntercom, handlePollIntercom)] },
  ],
};

// Keyed by the leader's abort signal, which every context of one leadership shares.
const schedules = new WeakMap<AbortSignal, PollSchedule>();

export const pollSchedulerActor: ActorDef = {
  name: 'poll-scheduler',
  singleton: true,
  events: [onEvent(TierChanged, (body, ctx) => schedules.get(ctx.signal)?.onTier(body.tier))],
  async start(ctx) {
    const s = new PollSchedule(ctx);
    schedules.set(ctx.signal, s);
    await s.start();
  },
  stop(ctx) {
    schedules.get(ctx.signal)?.stop();
    schedules.delete(ctx.signal);
  },
};

const streams = new WeakMap<AbortSignal, ChangeStream>();

/** Salesforce's change events, one listener per workspace under a lease (like the poll clock). */
export const changeEventsActor: ActorDef = {
  name: 'change-events',
  singleton: true,
  async start(ctx) {
    const s = new ChangeStream(ctx);
    streams.set(ctx.signal, s);
    await s.start();
  },
  async stop(ctx) {
    await streams.get(ctx.signal)?.stop();
    streams.delete(ctx.signal);
  },
};
