// Webhook notifications as the service sends them: a notification_event body signed with
// HMAC-SHA1 of the raw body under the app's client secret (X-Hub-Signature: sha1=<hex>). A
// subscription starts with a HEAD request to its URL, as the Developer Hub validates a URL when
// it is added; a URL that does not answer it with 2xx gets no notifications.
import { createHmac, randomUUID } from 'node:crypto';
import type { WebhookOptions } from './types.ts';
import type { StoredContact } from './wire.ts';

export type ContactTopic =
  | 'contact.user.created'
  | 'contact.user.updated'
  | 'contact.lead.created'
  | 'contact.lead.updated'
  | 'contact.lead.signed_up'
  | 'contact.email.updated'
  | 'contact.merged'
  | 'contact.deleted';

export function signBody(rawBody: string | Buffer, clientSecret: string): string {
  return `sha1=${createHmac('sha1', clientSecret).update(rawBody).digest('hex')}`;
}

/** Topics a change fires: created/updated by role, plus the role and email transitions. */
export function topicsFor(before: StoredContact | null, after: StoredContact): ContactTopic[] {
  if (!before) return [after.role === 'user' ? 'contact.user.created' : 'contact.lead.created'];
  const topics: ContactTopic[] = [after.role === 'user' ? 'contact.user.updated' : 'contact.lead.updated'];
  if (before.role === 'lead' && after.role === 'user') topics.push('contact.lead.signed_up');
  if (before.email !== after.email) topics.push('contact.email.updated');
  return topics;
}

export function notificationBody(
  topic: ContactTopic,
  item: Record<string, unknown>,
  appId: string,
  nowSec: number,
): Record<string, unknown> {
  return {
    type: 'notification_event',
    app_id: appId,
    data: { type: 'notification_event_data', item },
    links: {},
    id: `notif_${randomUUID()}`,
    topic,
    delivery_status: 'pending',
    delivery_attempts: 1,
    delivered_at: 0,
    first_sent_at: nowSec,
    created_at: nowSec,
    self: null,
  };
}

export interface DeliveryOutcome {
  delivered: boolean;
  attempts: number;
  status?: number;
}

type Subscription = { opts: WebhookOptions; validated: Promise<boolean> };

/** Posts notifications to the subscription's URL, retrying a few times with a short backoff. */
export class WebhookSender {
  private readonly pending = new Set<Promise<unknown>>();
  private subscription: Subscription | undefined;

  constructor(
    private readonly onOutcome: (o: DeliveryOutcome) => void,
    private readonly onValidation: (ok: boolean) => void,
  ) {}

  /** Sets (or, with undefined, removes) the subscription; a new URL is validated by HEAD first. */
  subscribe(opts: WebhookOptions | undefined): void {
    if (!opts) {
      this.subscription = undefined;
      return;
    }
    const validated = validateUrl(opts.url).then((ok) => {
      this.onValidation(ok);
      return ok;
    });
    this.track(validated);
    this.subscription = { opts, validated };
  }

  send(topic: ContactTopic, item: Record<string, unknown>, nowSec: number): void {
    const sub = this.subscription;
    if (!sub) return;
    const p = sub.validated.then(async (ok) => {
      if (ok) this.onOutcome(await this.deliver(sub.opts, topic, item, nowSec));
    });
    this.track(p);
  }

  /** Resolves when the validation and every delivery in flight have finished. */
  async drain(): Promise<void> {
    while (this.pending.size) await Promise.allSettled([...this.pending]);
  }

  private track(p: Promise<unknown>): void {
    this.pending.add(p);
    void p.finally(() => this.pending.delete(p));
  }

  private async deliver(o: WebhookOptions, topic: ContactTopic, item: Record<string, unknown>, nowSec: number): Promise<DeliveryOutcome> {
    const max = o.maxAttempts ?? 3;
    const body = notificationBody(topic, item, o.appId ?? 'sandbox', nowSec);
    let status: number | undefined;
    for (let attempt = 1; attempt <= max; attempt += 1) {
      body.delivery_attempts = attempt;
      const raw = JSON.stringify(body);
      try {
        const res = await fetch(o.url, {
          method: 'POST',
          headers: {
            'content-type': 'application/json',
            'x-hub-signature': signBody(raw, o.clientSecret),
            'user-agent': 'intercom-sandbox',
          },
          body: raw,
          signal: AbortSignal.timeout(5000),
        });
        status = res.status;
        await res.arrayBuffer();
        if (res.ok) return { delivered: true, attempts: attempt, status };
      } catch {
        status = undefined;
      }
      if (attempt < max) await new Promise((r) => setTimeout(r, 100 * 2 ** (attempt - 1)));
    }
    return { delivered: false, attempts: max, status };
  }
}

async function validateUrl(url: string): Promise<boolean> {
  try {
    const res = await fetch(url, { method: 'HEAD', headers: { 'user-agent': 'intercom-sandbox' }, signal: AbortSignal.timeout(5000) });
    await res.arrayBuffer();
    return res.ok;
  } catch {
    return false;
  }
}
