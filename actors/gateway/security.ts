// Who is asking and whether they may: every route names its access ('public', 'read' or 'change'),
// and one hook checks it before anything else runs. Browsers hold a signed session cookie
// (HttpOnly, SameSite=Lax, Secure behind TLS) and send a CSRF token with every change; scripts
// send `Authorization: Bearer <token>`. A change is also refused when the browser says it comes
// from another site (Origin, Sec-Fetch-Site). Refusals are logged with the route and the client
// address, never with a password, token or cookie.
import fastifyCookie from '@fastify/cookie';
import fastifyCsrf from '@fastify/csrf-protection';
import fastifyFormbody from '@fastify/formbody';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Logger } from '../../runtime/index.ts';
import { HttpError } from './http-errors.ts';
import { type Access, type Operator, type Operators, decodeSession, encodeSession, mayAccess } from './operators.ts';

/** What kind of thing a route serves: an anonymous page request is sent to sign in, the rest refused. */
export type RouteKind = 'api' | 'page' | 'public';

declare module 'fastify' {
  interface FastifyContextConfig {
    name?: string;
    access?: Access;
    kind?: RouteKind;
    /** A public form that still needs a CSRF token (signing in). */
    csrf?: boolean;
  }
  interface FastifyRequest {
    operator: Operator | null;
  }
}

export const SESSION_COOKIE = 'ps_session';

/** Whom a CSRF token is bound to: the operator, or (signing in) nobody, spelt as no name can be. */
const csrfUser = (req: FastifyRequest) => req.operator?.name ?? '(signed out)';
const UNSAFE = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

export interface SecurityOptions {
  operators: Operators;
  sessionSecret: string;
  sessionHours: number;
  /** https here (or X-Forwarded-Proto: https when the proxy is trusted): cookies are Secure. */
  publicUrl: string;
  log: Logger;
  now(): number;
}

export class Security {
  readonly o: SecurityOptions;

  constructor(o: SecurityOptions) {
    this.o = o;
  }

  async register(app: FastifyInstance): Promise<void> {
    await app.register(fastifyCookie, { secret: this.o.sessionSecret });
    await app.register(fastifyFormbody);
    await app.register(fastifyCsrf, {
      sessionPlugin: '@fastify/cookie',
      cookieOpts: { path: '/', sameSite: 'lax', httpOnly: true, signed: true },
      csrfOpts: { hmacKey: this.o.sessionSecret },
      getUserInfo: (req: FastifyRequest) => csrfUser(req),
    });
    app.decorateRequest('operator', null);
    app.addHook('onRequest', (req, reply) => this.admit(req, reply));
    app.addHook('preValidation', (req, reply) => this.checkChange(app, req, reply));
  }

  secure(req: FastifyRequest): boolean {
    return req.protocol === 'https' || this.o.publicUrl.startsWith('https:');
  }

  /** A CSRF token for forms and scripts of the page being rendered. */
  csrfToken(req: FastifyRequest, reply: FastifyReply): string {
    return reply.generateCsrf({ userInfo: csrfUser(req), secure: this.secure(req) } as never);
  }

  startSession(req: FastifyRequest, reply: FastifyReply, name: string, stamp: string): void {
    const maxAge = Math.round(this.o.sessionHours * 3600);
    const value = encodeSession({ name, exp: this.o.now() + maxAge * 1000, stamp });
    reply.setCookie(SESSION_COOKIE, value, { path: '/', httpOnly: true, sameSite: 'lax', secure: this.secure(req), signed: true, maxAge });
  }

  endSession(req: FastifyRequest, reply: FastifyReply): void {
    reply.clearCookie(SESSION_COOKIE, { path: '/', httpOnly: true, sameSite: 'lax', secure: this.secure(req) });
  }

  /** The operator behind a request: its bearer token, else its session cookie. */
  private identify(req: FastifyRequest): Operator | null | 'bad_token' {
    const auth = req.headers.authorization;
    if (auth !== undefined) {
      const token = /^Bearer\s+(\S+)\s*$/i.exec(auth)?.[1];
      const o = token ? this.o.operators.byToken(token) : null;
      return o ? { name: o.name, role: o.role, via: 'token' } : 'bad_token';
    }
    const raw = req.cookies[SESSION_COOKIE];
    if (!raw) return null;
    const unsigned = req.unsignCookie(raw);
    const o = this.o.operators.fromSession(unsigned.valid && unsigned.value ? decodeSession(unsigned.value) : null, this.o.now());
    return o ? { name: o.name, role: o.role, via: 'session' } : null;
  }

  private refuse(req: FastifyRequest, status: number, code: string, message: string, why: string): HttpError {
    this.o.log.warn({ route: req.routeOptions.config.name, method: req.method, ip: req.ip, status, why }, 'request refused');
    return new HttpError(status, code, message);
  }

  private async admit(req: FastifyRequest, reply: FastifyReply): Promise<void> {
    const { access, kind } = req.routeOptions.config;
    if (access === undefined) return; // no route: the 404/405 answer needs no operator
    const who = access === 'public' && !req.routeOptions.config.csrf ? null : this.identify(req);
    req.operator = who === 'bad_token' ? null : who;
    if (access === 'public') return;
    if (!who && kind === 'page' && req.method === 'GET') {
      reply.redirect(`/login?next=${encodeURIComponent(req.url)}`, 303);
      return reply;
    }
    if (!this.o.operators.configured) {
      const message =
        'no operators are configured: add console.operators to the configuration (peoplesync credentials password makes a passwordHash)';
      throw this.refuse(req, 401, 'unauthenticated', message, 'no operators');
    }
    if (who === 'bad_token') throw this.refuse(req, 401, 'unauthenticated', 'the bearer token matches no operator', 'unknown token');
    if (!who) {
      const message = 'sign in first: a console session, or Authorization: Bearer <API token>';
      throw this.refuse(req, 401, 'unauthenticated', message, 'no credentials');
    }
    if (!mayAccess(who.role, access)) {
      throw this.refuse(
        req,
        403,
        'forbidden',
        `operator ${who.name} is read-only: ${req.method} ${req.url} would change something`,
        'read-only',
      );
    }
  }

  /** Changes made by a browser: from this site only, with the page's CSRF token. */
  private async checkChange(app: FastifyInstance, req: FastifyRequest, reply: FastifyReply): Promise<void> {
    const { access, csrf } = req.routeOptions.config;
    if (!UNSAFE.has(req.method) || access === undefined || (access === 'public' && !csrf)) return;
    if (req.operator?.via === 'token') return; // no ambient credential: nothing to forge
    const site = req.headers['sec-fetch-site'];
    const origin = req.headers.origin;
    const own = [`${req.protocol}://${req.host}`, new URL(this.o.publicUrl).origin];
    if (site === 'cross-site' || (origin !== undefined && !own.includes(origin))) {
      throw this.refuse(req, 403, 'cross_site', 'a change from another site is refused', 'cross-site');
    }
    await new Promise<void>((resolve, reject) => {
      // The plugin's check answers a refusal with reply.send(error): take the error instead.
      const probe = { unsignCookie: (v: string) => reply.unsignCookie(v), send: (err: Error) => reject(err) };
      app.csrfProtection(req, probe as unknown as FastifyReply, () => resolve());
    }).catch((err: unknown) => {
      this.o.log.warn({ route: req.routeOptions.config.name, method: req.method, ip: req.ip, status: 403, why: 'csrf' }, 'request refused');
      throw err;
    });
  }
}
