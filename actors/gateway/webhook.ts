// Intercom webhooks: the signature check and what a notification asks of us. Pure: the server
// reads the raw body, and publishes what `interpretNotification` returns.
import { createHmac, timingSafeEqual } from 'node:crypto';
import { IcContactSchema } from '../../protocol/index.ts';
import type { z } from 'zod';

/** `X-Hub-Signature: sha1=<hex HMAC-SHA1 of the raw body>` under the app's client secret. */
export function verifySignature(raw: Uint8Array, header: string | undefined, secret: string): boolean {
  if (!header || !secret) return false;
  const expected = Buffer.from(`sha1=${createHmac('sha1', secret).update(raw).digest('hex')}`);
  const given = Buffer.from(header.trim().toLowerCase());
  return given.length === expected.length && timingSafeEqual(given, expected);
}

export type IcContactBody = z.infer<typeof IcContactSchema>;

export type WebhookAction =
  | { kind: 'sync'; topic: string; contact: IcContactBody; msgId: string }
  | { kind: 'deleted'; topic: string; id: string | null }
  | { kind: 'ignored'; topic: string };

export class WebhookBodyError extends Error {
  override name = 'WebhookBodyError';
}

/** Deduplicates a notification delivered twice and a webhook racing a poll of the same change. */
export function contactMsgId(c: { id: string; updated_at: number }): string {
  return `ic:${c.id}:${c.updated_at}`;
}

export function interpretNotification(raw: Uint8Array): WebhookAction {
  let body: unknown;
  try {
    body = JSON.parse(Buffer.from(raw).toString('utf8'));
  } catch (err) {
    throw new WebhookBodyError(`body is not JSON: ${(err as Error).message}`);
  }
  const n = body as { topic?: unknown; data?: { item?: unknown } } | null;
  if (typeof n?.topic !== 'string') throw new WebhookBodyError('body has no string "topic": not an Intercom notification_event');
  const topic = n.topic;
  if (!topic.startsWith('contact.')) return { kind: 'ignored', topic };
  const item = n.data?.item;
  if (topic === 'contact.deleted') {
    const id = (item as { id?: unknown } | undefined)?.id;
    return { kind: 'deleted', topic, id: typeof id === 'string' ? id : null };
  }
  const parsed = IcContactSchema.safeParse(item);
  if (!parsed.success) {
    const issues = parsed.error.issues.map((i) => `data.item.${i.path.join('.') || '(root)'}: ${i.message}`).join('; ');
    throw new WebhookBodyError(`${topic} notification does not carry a contact: ${issues}`);
  }
  return { kind: 'sync', topic, contact: parsed.data, msgId: contactMsgId(parsed.data) };
}
