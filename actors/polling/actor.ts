// Polling: a pool that reads Salesforce (bulk pages, changes) and Intercom (changes), and per
// workspace two singletons that only ask for polls, so the reading scales out: the poll clock,
// and the listener to Salesforce's change events.
import { PollIntercom, ScanChanges, ScanPage, TierChanged } from '../../protocol/index.ts';
import { defineActor, on, onEvent } from '../../runtime/index.ts';
import { WorkspaceFacts } from '../domain/index.ts';
import { uses } from '../services.ts';
import { ChangeStream } from './change-stream.ts';
import { handleScanChanges } from './changes.ts';
import { handlePollIntercom } from './intercom-poll.ts';
import { handleScanPage } from './scan.ts';
import { PollSchedule } from './scheduler.ts';

export const pollingActor = defineActor({
  name: 'polling',
  needs: uses('salesforce', 'intercom', 'now'),
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

/** Starts a part that watches and times things; one that fails half-way is stopped again. */
async function started<T extends { start(): Promise<void>; stop(): void | Promise<void> }>(part: T): Promise<T> {
  try {
    await part.start();
  } catch (err) {
    await part.stop();
    throw err;
  }
  return part;
}

/** The poll clock, one per workspace under a lease; it pauses while the budget pauses event sync. */
export const pollSchedulerActor = defineActor({
  name: 'poll-scheduler',
  needs: uses('now'),
  singleton: true,
  init: (ctx) => started(new PollSchedule(ctx)),
  dispose: (s) => s.stop(),
}).serve({
  events: [onEvent(TierChanged, (body, _ctx, s) => s.onTier(body.tier))],
});

/** Salesforce's change events, one listener per workspace under a lease (like the poll clock). */
export const changeEventsActor = defineActor({
  name: 'change-events',
  needs: uses('salesforce', 'now'),
  singleton: true,
  init: (ctx) => started(new ChangeStream(ctx)),
  dispose: (s) => s.stop(),
}).serve({});
