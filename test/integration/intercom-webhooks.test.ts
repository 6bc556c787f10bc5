// Webhook delivery: a real HTTP receiver checks X-Hub-Signature (HMAC-SHA1 of the raw body with
// the client secret) and the notification_event shape for changes a person or the API makes, the
// HEAD request that validates a subscription's URL, and the merged and deleted topics.
import { createHmac, timingSafeEqual } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createIntercomClient } from '../../connectors/intercom/index.ts';
import { startIntercomSandbox, type IntercomSandbox } from '../../sandbox/intercom/index.ts';

const SECRET = 'whsec-client-secret';
const TOKEN = 'webhook-token';

interface Received {
  topic: string;
  body: Record<string, unknown>;
  signatureValid: boolean;
}

let receiver: Server;
let receiverUrl: string;
let received: Received[] = [];
let failNextDeliveries = 0;
let heads: string[] = [];

function verify(raw: Buffer, header: string | undefined): boolean {
  const expected = Buffer.from(`sha1=${createHmac('sha1', SECRET).update(raw).digest('hex')}`);
  const given = Buffer.from(header ?? '');
  return given.length === expected.length && timingSafeEqual(given, expected);
}

beforeAll(async () => {
  receiver = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      if (req.method === 'HEAD') {
        heads.push(req.url ?? '');
        // A URL that cannot take HEAD, as a misconfigured endpoint: the subscription is refused.
        if (req.url?.includes('no-head')) res.writeHead(405);
        return res.end();
      }
      if (failNextDeliveries > 0) {
        failNextDeliveries -= 1;
        res.writeHead(500).end();
        return;
      }
      const raw = Buffer.concat(chunks);
      const body = JSON.parse(raw.toString('utf8')) as Record<string, unknown>;
      received.push({ topic: String(body.topic), body, signatureValid: verify(raw, req.headers['x-hub-signature'] as string | undefined) });
      res.writeHead(200).end();
    });
  });
  await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', () => r()));
  receiverUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hooks`;
});
afterAll(async () => {
  await new Promise<void>((r) => receiver.close(() => r()));
});
beforeEach(() => {
  received = [];
  failNextDeliveries = 0;
  heads = [];
});

async function withSandbox(run: (sb: IntercomSandbox) => Promise<void>, subscribed = true): Promise<void> {
  const sb = await startIntercomSandbox({
    token: TOKEN,
    ...(subscribed ? { webhook: { url: receiverUrl, clientSecret: SECRET, appId: 'app42' } } : {}),
  });
  try {
    await run(sb);
  } finally {
    await sb.close();
  }
}

describe('webhooks', () => {
  it('posts a signed contact.lead.updated event when a person changes a lead', async () => {
    await withSandbox(async (sb) => {
      const [lead] = sb.createContacts([{ email: 'lead@hooks.io', role: 'lead', updated_at: 1_700_000_000 }]);
      const changed = sb.userChange(lead.id, { phone: '+15550100', custom_attributes: { plan: 'Pro' } });
      expect(changed.updated_at).toBeGreaterThan(1_700_000_000);
      await sb.drainWebhooks();
      expect(received).toHaveLength(1);
      const [event] = received;
      expect(event.signatureValid).toBe(true);
      expect(event.topic).toBe('contact.lead.updated');
      expect(event.body).toMatchObject({
        type: 'notification_event',
        app_id: 'app42',
        delivery_attempts: 1,
        data: {
          type: 'notification_event_data',
          item: { type: 'contact', id: lead.id, role: 'lead', phone: '+15550100', custom_attributes: { plan: 'Pro' } },
        },
      });
      expect(typeof event.body.id).toBe('string');
      expect(event.body.created_at).toBe(event.body.first_sent_at);
      expect(sb.stats().webhooksDelivered).toBe(1);
    });
  });

  it('signals sign-up and email change topics, and retries a failed delivery', async () => {
    await withSandbox(async (sb) => {
      const [lead] = sb.createContacts([{ email: 'old@hooks.io', role: 'lead' }]);
      failNextDeliveries = 1;
      sb.userChange(lead.id, { role: 'user', email: 'new@hooks.io' });
      await sb.drainWebhooks();
      expect(received.map((r) => r.topic).sort()).toEqual(['contact.email.updated', 'contact.lead.signed_up', 'contact.user.updated']);
      expect(received.every((r) => r.signatureValid)).toBe(true);
      expect(received.some((r) => r.body.delivery_attempts === 2)).toBe(true);
    });
  });

  // API-FACTS "Intercom REST API": changes made through the API notify like any other.
  it('notifies API updates like any change, and only a subscribed URL', async () => {
    await withSandbox(async (sb) => {
      const [u] = sb.createContacts([{ email: 'quiet@hooks.io' }]);
      const c = createIntercomClient({ baseUrl: sb.url, token: TOKEN });
      await c.updateContact(u.id, { name: 'Quiet' });
      await c.close();
      await sb.drainWebhooks();
      expect(received).toHaveLength(0);
    }, false);
    await withSandbox(async (sb) => {
      const [u] = sb.createContacts([{ email: 'loud@hooks.io' }]);
      const c = createIntercomClient({ baseUrl: sb.url, token: TOKEN });
      await c.updateContact(u.id, { name: 'Loud' });
      await c.close();
      await sb.drainWebhooks();
      expect(received.map((r) => r.topic)).toEqual(['contact.user.updated']);
      expect(received[0].signatureValid).toBe(true);
      expect(received[0].body).toMatchObject({ data: { item: { id: u.id, name: 'Loud' } } });
    });
  });

  // API-FACTS "Intercom REST API": the endpoint must answer a HEAD request, which validates it.
  it('validates a subscription URL with HEAD first, and sends nothing to a URL that refuses it', async () => {
    await withSandbox(async (sb) => {
      await sb.drainWebhooks();
      expect(heads).toEqual(['/hooks']);
      expect(sb.stats()).toMatchObject({ webhookValidations: 1, webhookValidationsFailed: 0 });
      sb.configure({ webhook: { url: receiverUrl.replace('/hooks', '/no-head'), clientSecret: SECRET } });
      const [u] = sb.createContacts([{ email: 'nohead@hooks.io' }]);
      sb.userChange(u.id, { name: 'Unheard' });
      await sb.drainWebhooks();
      expect(heads).toEqual(['/hooks', '/no-head']);
      expect(received).toHaveLength(0);
      expect(sb.stats()).toMatchObject({ webhookValidations: 2, webhookValidationsFailed: 1, webhooksDelivered: 0 });
    });
  });

  // API-FACTS "Intercom REST API": topics contact.merged and contact.deleted.
  it('notifies contact.merged and contact.deleted, from the API and from a person', async () => {
    await withSandbox(async (sb) => {
      const [lead, user, other, gone] = sb.createContacts([
        { email: 'lead@merge.io', role: 'lead', phone: '+15550101' },
        { email: 'user@merge.io', role: 'user' },
        { email: 'other@merge.io', role: 'user' },
        { email: 'gone@merge.io', role: 'user', external_id: 'ext-9' },
      ]);
      const call = (method: string, path: string, body?: unknown) =>
        fetch(`${sb.url}${path}`, {
          method,
          headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json', 'intercom-version': '2.14' },
          body: body === undefined ? undefined : JSON.stringify(body),
        });
      const merged = await call('POST', '/contacts/merge', { from: lead.id, into: user.id });
      expect(merged.status).toBe(200);
      expect(await merged.json()).toMatchObject({ id: user.id, role: 'user', phone: '+15550101' });
      expect((await call('GET', `/contacts/${lead.id}`)).status).toBe(404);
      expect((await call('POST', '/contacts/merge', { from: other.id, into: user.id })).status).toBe(400);
      const deleted = await call('DELETE', `/contacts/${gone.id}`);
      expect(await deleted.json()).toEqual({ type: 'contact', id: gone.id, external_id: 'ext-9', deleted: true });
      sb.userDelete(other.id);
      await sb.drainWebhooks();
      expect(received.map((r) => r.topic).sort()).toEqual(['contact.deleted', 'contact.deleted', 'contact.merged']);
      expect(received.find((r) => r.topic === 'contact.merged')!.body).toMatchObject({ data: { item: { id: user.id } } });
      const deletedIds = received
        .filter((r) => r.topic === 'contact.deleted')
        .map((r) => (r.body.data as { item: { id: string } }).item.id);
      expect(deletedIds.sort()).toEqual([gone.id, other.id].sort());
      expect(received.every((r) => r.signatureValid)).toBe(true);
      expect(sb.counts().total).toBe(1);
    });
  });

  it('a signature made with another secret does not verify', async () => {
    await withSandbox(async (sb) => {
      sb.configure({ webhook: { url: receiverUrl, clientSecret: 'another-secret' } });
      const [u] = sb.createContacts([{ email: 'forged@hooks.io' }]);
      sb.userChange(u.id, { name: 'F' });
      await sb.drainWebhooks();
      expect(received).toHaveLength(1);
      expect(received[0].signatureValid).toBe(false);
    });
  });
});
