// Polling: a pool that reads Salesforce (bulk pages, changes) and Intercom (changes), and a
// separate singleton per workspace that only keeps the poll clock, so the reading scales out.
import { PollIntercom, ScanChanges, ScanPage } from '../../protocol/index.ts';
import { type ActorDef, defineActor, on } from '../../runtime/index.ts';
import { handlePollIntercom } from './intercom-poll.ts';
import { handleScanChanges, handleScanPage } from './scan.ts';
import { PollSchedule } from './scheduler.ts';

export const pollingActor: ActorDef = {
  name: 'polling',
  queues: [
    { stage: 'scan', classes: ['bulk', 'event'], handlers: [on(ScanPage, handleScanPage), on(ScanChanges, handleScanChanges)] },
    { stage: 'icpoll', classes: ['event'], concurrency: 2, handlers: [on(PollIntercom, handlePollIntercom)] },
  ],
};

export const pollSchedulerActor = defineActor({
  name: 'poll-scheduler',
  singleton: true,
  init(ctx) {
    const s = new PollSchedule(ctx);
    s.start();
    return s;
  },
  dispose: (s) => s.stop(),
}).serve({});
