// Polling: a pool that reads Salesforce (bulk pages, changes) and Intercom (changes), and a
// separate singleton per workspace that only keeps the poll clock, so the reading scales out.
import { PollIntercom, ScanChanges, ScanPage } from '../../protocol/index.ts';
import { defineActor, on } from '../../runtime/index.ts';
import { WorkspaceFacts } from '../domain/index.ts';
import { handlePollIntercom } from './intercom-poll.ts';
import { handleScanChanges, handleScanPage } from './scan.ts';
import { PollSchedule } from './scheduler.ts';

export const pollingActor = defineActor({
  name: 'polling',
  // Per workspace: the settings its runs read with, cached for the activation.
  init: (ctx) => new WorkspaceFacts(ctx),
}).serve({
  queues: [
    {
      stage: 'scan',
      classes: ['bulk', 'event'],
      handlers: [
        on(ScanPage, (body, ctx, facts) => handleScanPage(body, ctx, facts)),
        on(ScanChanges, (body, ctx, facts) => handleScanChanges(body, ctx, facts)),
      ],
    },
    { stage: 'icpoll', classes: ['event'], concurrency: 2, handlers: [on(PollIntercom, (body, ctx) => handlePollIntercom(body, ctx))] },
  ],
});

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
