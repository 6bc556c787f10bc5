// The console's pages: sign-in, the workspace index, each workspace's settings page, its sync
// errors and a person's history, the live event stream those pages follow, and the two files they
// load. Pages are rendered on the server; each section that cannot be had says why on its own.
import { readFileSync } from 'node:fs';
import type { FastifyReply } from 'fastify';
import { z } from 'zod';
import {
  BulkHistory,
  BulkStatus,
  ErrorsList,
  ErrorsShow,
  PersonHistory,
  QuotaUsageShow,
  SettingsGet,
  SettingsSchemaShow,
  WorkspaceSettingsSchema,
  consolePaths,
  ErrorCauseSchema,
  SyncTypeSchema,
} from '../../protocol/index.ts';
import { ErrorParams, PersonParams, WsParams } from './api-schemas.ts';
import { HttpError } from './http-errors.ts';
import { type ErrorFilters, renderErrorDetails, renderErrors } from './pages/errors.ts';
import { part } from './pages/html.ts';
import { renderLogin } from './pages/login.ts';
import { renderPerson } from './pages/person.ts';
import { renderWorkspace } from './pages/workspace.ts';
import { renderWorkspaces } from './pages/workspaces.ts';
import { type Gateway, type RouteSpec, route, signedIn } from './route-spec.ts';

const PAGE_TIMEOUT_MS = 5_000;
const PAGE_ERRORS = 50;
const o = { timeoutMs: PAGE_TIMEOUT_MS };

const asset = (name: string) => readFileSync(new URL(`./assets/${name}`, import.meta.url), 'utf8');
const ASSETS: Record<string, { type: string; text: string }> = {
  'console.js': { type: 'text/javascript; charset=utf-8', text: asset('console.js') },
  'console.css': { type: 'text/css; charset=utf-8', text: asset('console.css') },
};

/** Where to go after signing in: a path on this site, never another site. */
export function safeNext(next: unknown): string {
  return typeof next === 'string' && next.startsWith('/') && !next.startsWith('//') && !next.startsWith('/\\') ? next : '/';
}

const LoginForm = z.object({
  name: z.string().max(200).default(''),
  password: z.string().max(1_000).default(''),
  next: z.string().optional(),
});
const ErrorsPageQuery = z.object({
  cause: z.union([ErrorCauseSchema, z.literal('')]).optional(),
  syncType: z.union([SyncTypeSchema, z.literal('')]).optional(),
  direction: z.enum(['intercom_to_salesforce', 'salesforce_to_intercom', 'all']).optional(),
  all: z.string().optional(),
});

export function pageRoutes(gw: Gateway): RouteSpec[] {
  const html = (reply: FastifyReply, text: string, status = 200) =>
    reply.code(status).type('text/html; charset=utf-8').header('cache-control', 'no-store').send(text);
  return [
    route({
      method: 'GET',
      url: '/assets/:file',
      name: 'asset',
      access: 'public',
      kind: 'public',
      params: z.object({ file: z.string() }),
      async handle({ params, reply }) {
        const a = Object.hasOwn(ASSETS, params.file) ? ASSETS[params.file] : undefined;
        if (!a) throw new HttpError(404, 'not_found', `no asset ${params.file}`);
        return reply.type(a.type).header('cache-control', 'no-cache').send(a.text);
      },
    }),
    route({
      method: 'GET',
      url: '/login',
      name: 'login.page',
      access: 'public',
      kind: 'page',
      csrf: true,
      query: z.object({ next: z.string().optional() }),
      async handle({ query, req, reply }) {
        if (req.operator) return reply.redirect(safeNext(query.next), 303);
        const csrf = gw.security.csrfToken(req, reply);
        return html(reply, renderLogin({ csrf, next: safeNext(query.next), noOperators: !gw.operators.configured }));
      },
    }),
    route({
      method: 'POST',
      url: '/login',
      name: 'login',
      access: 'public',
      kind: 'page',
      csrf: true,
      body: LoginForm,
      async handle({ body, req, reply }) {
        const op = await gw.operators.signIn(body.name, body.password);
        const next = safeNext(body.next);
        if (!op) {
          gw.log.warn({ operator: body.name.slice(0, 64), ip: req.ip }, 'sign-in refused: wrong name or password');
          const csrf = gw.security.csrfToken(req, reply);
          return html(
            reply,
            renderLogin({ csrf, next, name: body.name, error: 'Wrong name or password.', noOperators: !gw.operators.configured }),
            401,
          );
        }
        gw.security.startSession(req, reply, op.name, gw.operators.stamp(op));
        gw.log.info({ operator: op.name, ip: req.ip }, 'signed in');
        return reply.redirect(next, 303);
      },
    }),
    route({
      method: 'POST',
      url: '/logout',
      name: 'logout',
      access: 'read',
      kind: 'page',
      async handle({ req, reply }) {
        gw.security.endSession(req, reply);
        return reply.redirect('/login', 303);
      },
    }),
    route({
      method: 'GET',
      url: '/',
      name: 'index.page',
      access: 'read',
      kind: 'page',
      async handle({ req, reply, operator }) {
        const workspaces = await Promise.all(
          gw.workspaces().map(async (ws) => {
            const ctx = gw.context(ws);
            const [usage, run] = await Promise.all([
              part(ctx.request(QuotaUsageShow, {}, o)),
              part(ctx.request(BulkStatus, {}, o).then((r) => r.run)),
            ]);
            return { ws, usage, run };
          }),
        );
        return html(reply, renderWorkspaces({ operator: signedIn(operator), csrf: gw.security.csrfToken(req, reply), workspaces }));
      },
    }),
    route({
      method: 'GET',
      url: '/ws/:ws',
      name: 'workspace.page',
      access: 'read',
      kind: 'page',
      params: WsParams,
      async handle({ params, req, reply, operator }) {
        const ctx = gw.context(params.ws);
        const [settings, usage, run, history, schema] = await Promise.all([
          part(
            ctx
              .request(SettingsGet, {}, o)
              .then((r) => ({ settings: r.settings === null ? null : WorkspaceSettingsSchema.parse(r.settings), revision: r.revision })),
          ),
          part(ctx.request(QuotaUsageShow, {}, o)),
          part(ctx.request(BulkStatus, {}, o).then((r) => r.run)),
          part(ctx.request(BulkHistory, { limit: 10 }, o).then((r) => r.runs)),
          part(ctx.request(SettingsSchemaShow, {}, { timeoutMs: 15_000 })),
        ]);
        const csrf = gw.security.csrfToken(req, reply);
        return html(reply, renderWorkspace({ ws: ctx.ws, operator: signedIn(operator), csrf, settings, usage, run, history, schema }));
      },
    }),
    route({
      method: 'GET',
      url: '/ws/:ws/events',
      name: 'workspace.events',
      access: 'read',
      kind: 'page',
      params: WsParams,
      async handle({ params, reply }) {
        const ctx = gw.context(params.ws);
        reply.hijack();
        gw.hub.attach(ctx.ws, reply.raw);
        // The state now, so a page that loaded a moment ago misses nothing.
        const [run, usage] = await Promise.all([part(ctx.request(BulkStatus, {}, o)), part(ctx.request(QuotaUsageShow, {}, o))]);
        if (run.ok && run.value.run) gw.hub.send(reply.raw, 'run', run.value.run);
        if (usage.ok) gw.hub.send(reply.raw, 'usage', usage.value);
      },
    }),
    route({
      method: 'GET',
      url: '/ws/:ws/errors',
      name: 'errors.page',
      access: 'read',
      kind: 'page',
      params: WsParams,
      query: ErrorsPageQuery,
      async handle({ params, query, req, reply, operator }) {
        const ctx = gw.context(params.ws);
        const filters: ErrorFilters = {
          cause: query.cause || undefined,
          syncType: query.syncType || undefined,
          direction: query.all === '1' ? 'all' : (query.direction ?? 'intercom_to_salesforce'),
        };
        const errors = await part(
          ctx.request(
            ErrorsList,
            { direction: filters.direction, cause: filters.cause as never, syncType: filters.syncType as never, limit: PAGE_ERRORS },
            o,
          ),
        );
        return html(
          reply,
          renderErrors({ ws: ctx.ws, operator: signedIn(operator), csrf: gw.security.csrfToken(req, reply), filters, errors }),
        );
      },
    }),
    route({
      method: 'GET',
      url: '/ws/:ws/errors/:id',
      name: 'error.page',
      access: 'read',
      kind: 'page',
      params: ErrorParams,
      async handle({ params, req, reply, operator }) {
        const ctx = gw.context(params.ws);
        const { error } = await ctx.request(ErrorsShow, { id: params.id }, o);
        return html(
          reply,
          renderErrorDetails({ ws: ctx.ws, operator: signedIn(operator), csrf: gw.security.csrfToken(req, reply), error }),
        );
      },
    }),
    route({
      method: 'GET',
      url: '/ws/:ws/people',
      name: 'person.lookup',
      access: 'read',
      kind: 'page',
      params: WsParams,
      query: z.object({ key: z.string().trim().min(1, 'name a person: an email, Salesforce Id or Intercom id') }),
      handle: async ({ params, query, reply }) => reply.redirect(consolePaths.person(gw.context(params.ws).ws, query.key), 303),
    }),
    route({
      method: 'GET',
      url: '/ws/:ws/people/:key',
      name: 'person.page',
      access: 'read',
      kind: 'page',
      params: PersonParams,
      async handle({ params, req, reply, operator }) {
        const ctx = gw.context(params.ws);
        const history = await part(ctx.request(PersonHistory, { key: params.key, limit: 200 }, o));
        return html(
          reply,
          renderPerson({ ws: ctx.ws, key: params.key, operator: signedIn(operator), csrf: gw.security.csrfToken(req, reply), history }),
        );
      },
    }),
    route({
      method: 'GET',
      url: '/errors',
      name: 'errors.legacy',
      access: 'read',
      kind: 'page',
      query: z.object({ ws: z.string().min(1) }),
      // Links in run summaries and emails sent before the console had its own paths.
      handle: async ({ query, reply }) => reply.redirect(consolePaths.errors(gw.context(query.ws).ws), 301),
    }),
  ];
}
