// The notifier: emails the installer when a bulk run finishes. Delivery is at least once; a
// redelivery to the same process (send succeeded, ack lost) is recognised and not sent again.
import { NotifyRunFinished } from '../../protocol/index.ts';
import { type ActorDef, on } from '../../runtime/index.ts';
import { runFinishedEmail } from './email.ts';

/** SMTP trouble passes: retried with backoff until the work queue gives up (then the DLQ). */
export class MailError extends Error {
  override name = 'MailError';
  readonly retryable = true;
}

const SENT_MEMORY = 1_000;
const sent = new Set<string>();

function remember(key: string): void {
  if (sent.size >= SENT_MEMORY) sent.delete(sent.values().next().value as string);
  sent.add(key);
}

export const notifierActor: ActorDef = {
  name: 'notifier',
  queues: [{
    stage: 'notify',
    classes: ['bulk', 'event'],
    concurrency: 2,
    handlers: [on(NotifyRunFinished, async (body, ctx) => {
      const key = `${ctx.ws}/${body.run.runId}/${body.run.status}/${body.to}`;
      if (sent.has(key)) {
        ctx.log.info({ run: body.run.runId }, 'run email already sent from here; not sending again');
        return;
      }
      const mail = runFinishedEmail(body.run, ctx.deps.publicUrl);
      try {
        const { messageId } = await ctx.deps.mailer.send({ to: body.to, ...mail });
        remember(key);
        ctx.log.info({ run: body.run.runId, messageId }, 'run email sent');
      } catch (err) {
        throw new MailError(`email to the installer failed: ${(err as Error).message}`, { cause: err });
      }
    })],
  }],
};
