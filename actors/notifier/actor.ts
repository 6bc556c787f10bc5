// The notifier: emails the installer when a bulk run finishes. Delivery is at least once; a copy
// of an email already sent (or being sent) from this process is recognised and not sent again.
import { type BodyOf, NotifyRunFinished, RetryableError } from '../../protocol/index.ts';
import { type ActorDef, type HandlerContext, on } from '../../runtime/index.ts';
import { runFinishedEmail } from './email.ts';

/** SMTP trouble passes: retried with backoff until the work queue gives up (then the DLQ). */
export class MailError extends RetryableError {
  override name = 'MailError';
}

const SENT_MEMORY = 1_000;
const sent = new Set<string>();
const sending = new Map<string, Promise<void>>();

function remember(key: string): void {
  if (sent.size >= SENT_MEMORY) sent.delete(sent.values().next().value as string);
  sent.add(key);
}

async function send(body: BodyOf<typeof NotifyRunFinished>, ctx: HandlerContext): Promise<void> {
  const mail = runFinishedEmail(body.run, ctx.deps.publicUrl);
  try {
    const { messageId } = await ctx.deps.mailer.send({ to: body.to, ...mail });
    ctx.log.info({ run: body.run.runId, messageId }, 'run email sent');
  } catch (err) {
    throw new MailError(`email to the installer failed: ${(err as Error).message}`, { cause: err });
  }
}

async function notifyRunFinished(body: BodyOf<typeof NotifyRunFinished>, ctx: HandlerContext): Promise<void> {
  const key = `${ctx.ws}/${body.run.runId}/${body.run.status}/${body.to}`;
  if (sent.has(key)) return;
  const inFlight = sending.get(key);
  if (inFlight) {
    // A copy is being sent right now; if that fails, its own redelivery tries again.
    await inFlight.catch(() => undefined);
    return;
  }
  const p = send(body, ctx);
  sending.set(key, p);
  try {
    await p;
    remember(key);
  } finally {
    sending.delete(key);
  }
}

export const notifierActor: ActorDef = {
  name: 'notifier',
  queues: [{ stage: 'notify', classes: ['bulk', 'event'], concurrency: 2, handlers: [on(NotifyRunFinished, notifyRunFinished)] }],
};
