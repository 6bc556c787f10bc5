// The notifier: emails the installer when a bulk run finishes. Delivery is at least once; a copy
// of an email already sent (or being sent) by this activation is recognised and not sent again.
import { type BodyOf, NotifyRunFinished, RetryableError } from '../../protocol/index.ts';
import { type HandlerContext, defineActor, on } from '../../runtime/index.ts';
import { type Uses, uses } from '../services.ts';
import { runFinishedEmail } from './email.ts';

type Ctx = HandlerContext<Uses<'mailer'>>;

const SENT_MEMORY = 1_000;

/** One workspace's notifier: the emails it sent (the last thousand) and those being sent. */
class Outbox {
  private readonly sent = new Set<string>();
  private readonly sending = new Map<string, Promise<void>>();

  async notifyRunFinished(body: BodyOf<typeof NotifyRunFinished>, ctx: Ctx): Promise<void> {
    const key = `${body.run.runId}/${body.run.status}/${body.to}`;
    if (this.sent.has(key)) return;
    const inFlight = this.sending.get(key);
    if (inFlight) {
      // A copy is being sent right now; if that fails, its own redelivery tries again.
      await inFlight.catch(() => undefined);
      return;
    }
    const p = send(body, ctx);
    this.sending.set(key, p);
    try {
      await p;
      if (this.sent.size >= SENT_MEMORY) this.sent.delete(this.sent.values().next().value as string);
      this.sent.add(key);
    } finally {
      this.sending.delete(key);
    }
  }
}

async function send(body: BodyOf<typeof NotifyRunFinished>, ctx: Ctx): Promise<void> {
  const mail = runFinishedEmail(body.run, ctx.config.publicUrl);
  try {
    const { messageId } = await ctx.deps.mailer.send({ to: body.to, ...mail });
    ctx.log.info({ run: body.run.runId, messageId }, 'run email sent');
  } catch (err) {
    throw new RetryableError(`email to the installer failed: ${(err as Error).message}`, { name: 'MailError', cause: err });
  }
}

export const notifierActor = defineActor({ name: 'notifier', needs: uses('mailer'), init: () => new Outbox() }).serve({
  queues: [
    {
      stage: 'notify',
      classes: ['bulk', 'event'],
      concurrency: 2,
      handlers: [on(NotifyRunFinished, (body, ctx, outbox) => outbox.notifyRunFinished(body, ctx))],
    },
  ],
});
