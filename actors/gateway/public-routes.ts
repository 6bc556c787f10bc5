// What stays public: Intercom webhooks (checked by their X-Hub-Signature, not by an operator) and
// /healthz. They may have a listener of their own (http.public), the only one a reverse proxy need
// expose; /metrics stays beside the console.
import { MatchContacts } from '../../protocol/index.ts';
import { WsParams } from './api-schemas.ts';
import { HttpError } from './http-errors.ts';
import { type Gateway, type RouteSpec, route } from './route-spec.ts';
import { interpretNotification, verifySignature } from './webhook.ts';

export function publicRoutes(gw: Gateway): RouteSpec[] {
  return [
    route({
      method: ['HEAD', 'POST'],
      url: '/webhooks/intercom/:ws',
      name: 'webhook',
      access: 'public',
      kind: 'public',
      rawBody: true,
      params: WsParams,
      async handle({ params, req, reply }) {
        const ctx = gw.context(params.ws);
        if (req.method === 'HEAD') return reply.code(200).type('text/plain').send('');
        const raw = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
        const secret = gw.webhookSecret(ctx.ws);
        if (!secret) {
          gw.metrics.webhooks.inc({ outcome: 'no_secret' });
          ctx.log.warn('webhook refused: no intercom.webhookSecret is configured for the workspace');
          throw new HttpError(401, 'no_secret', `no webhook secret is configured for workspace ${ctx.ws}`);
        }
        if (!verifySignature(raw, req.headers['x-hub-signature'] as string | undefined, secret)) {
          gw.metrics.webhooks.inc({ outcome: 'bad_signature' });
          throw new HttpError(401, 'bad_signature', 'X-Hub-Signature does not match the body');
        }
        const action = interpretNotification(raw);
        if (action.kind === 'sync') {
          await ctx.publish(MatchContacts, { contacts: [action.contact], source: 'webhook' }, { cls: 'event', msgId: action.msgId });
        } else if (action.kind === 'deleted') {
          // Nothing to sync: records are never created or deleted, and the stale link goes when used.
          ctx.log.info({ icId: action.id }, 'Intercom contact deleted');
        }
        gw.metrics.webhooks.inc({ outcome: action.kind });
        return { ok: true, action: action.kind };
      },
    }),
    route({
      method: 'GET',
      url: '/healthz',
      name: 'healthz',
      access: 'public',
      kind: 'public',
      async handle({ reply }) {
        const h = await gw.health();
        return reply.code(h.connected ? 200 : 503).send({ status: h.connected ? 'ok' : 'unavailable', nats: h });
      },
    }),
  ];
}

/** Prometheus metrics: beside the console (not on the public listener), as before sign-in existed. */
export function metricsRoute(gw: Gateway): RouteSpec {
  return route({
    method: 'GET',
    url: '/metrics',
    name: 'metrics',
    access: 'public',
    kind: 'public',
    async handle({ reply }) {
      return reply.type(gw.metrics.registry.contentType).send(await gw.metrics.registry.metrics());
    },
  });
}
