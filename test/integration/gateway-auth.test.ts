// Who may use the console and the API, walked over the gateway's own route table so a new route
// cannot escape: every /api route and console page refuses an anonymous request and a read-only
// operator's change; a change from another site is refused; sign-in, its cookie and its log lines;
// the public routes alone on their own listener.
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { gatewayOf } from '../../actors/gateway/actor.ts';
import type { ServedRoute } from '../../actors/gateway/index.ts';
import { consolePaths } from '../../protocol/index.ts';
import { createLogger } from '../../runtime/index.ts';
import { ADMIN, READER, SESSION_SECRET, bearer, consoleConfig, csrfOf, signIn } from '../helpers/console.ts';
import { freePort } from '../helpers/nats-server.ts';
import { type TestSystem, WS, startSystem } from '../helpers/system.ts';

let sys: TestSystem;
let base: string;
let routes: ServedRoute[];
const logLines: string[] = [];

beforeAll(async () => {
  sys = await startSystem({ generator: { people: 5 } });
  const port = await freePort();
  const log = createLogger({
    level: 'info',
    destination: new Writable({
      write(chunk, _enc, done) {
        logLines.push(String(chunk));
        done();
      },
    }),
  });
  const w = await sys.startWorker(
    ['gateway', 'errors', 'quota', 'mapping', 'history'],
    { http: { host: '127.0.0.1', port, trustProxy: true }, console: await consoleConfig() },
    { log },
  );
  base = `http://127.0.0.1:${port}`;
  routes = (gatewayOf(w.host, WS)?.routes ?? []).filter((r) => r.listener === 'console');
}, 60_000);
afterAll(async () => {
  await sys?.stop();
});

const SAMPLE: Record<string, string> = { ws: WS, id: '0123456789abcdef01234567', key: 'someone@example.com', file: 'console.js' };
const pathOf = (r: ServedRoute) => r.url.replace(/:(\w+)/g, (_m, p: string) => encodeURIComponent(SAMPLE[p] ?? 'x'));
const call = (r: ServedRoute, headers: Record<string, string> = {}) =>
  fetch(`${base}${pathOf(r)}`, {
    method: r.method,
    redirect: 'manual',
    headers: r.method === 'GET' || r.method === 'HEAD' ? headers : { 'content-type': 'application/json', ...headers },
    body: r.method === 'GET' || r.method === 'HEAD' ? undefined : '{}',
  });
const label = (r: ServedRoute) => `${r.method} ${r.url}`;

describe('the route table', () => {
  it('names who may use each route, and only sign-in, assets, metrics, webhooks and health are public', () => {
    expect(routes.length).toBeGreaterThan(25);
    expect(
      routes
        .filter((r) => r.access === 'public')
        .map(label)
        .sort(),
    ).toEqual(
      [
        'GET /assets/:file',
        'GET /healthz',
        'GET /login',
        'GET /metrics',
        'HEAD /webhooks/intercom/:ws',
        'POST /login',
        'POST /webhooks/intercom/:ws',
      ].sort(),
    );
    // Every /api route and every page under /ws needs a signed-in operator.
    for (const r of routes.filter((x) => x.url.startsWith('/api/') || x.url.startsWith('/ws/')))
      expect([label(r), r.access]).not.toEqual([label(r), 'public']);
    // Everything that changes state needs an operator who may change things.
    for (const r of routes.filter((x) => x.url.startsWith('/api/') && x.method !== 'GET'))
      expect([label(r), r.access]).toEqual([label(r), 'change']);
  });
});

describe('anonymous requests', () => {
  it('are refused by every /api route (401) and sent to sign in by every console page', async () => {
    for (const r of routes.filter((x) => x.access !== 'public')) {
      const res = await call(r);
      if (r.kind === 'page' && r.method === 'GET') {
        expect([label(r), res.status]).toEqual([label(r), 303]);
        expect(res.headers.get('location')).toBe(`/login?next=${encodeURIComponent(pathOf(r))}`);
      } else {
        expect([label(r), res.status]).toEqual([label(r), 401]);
        expect(((await res.json()) as { error: { code: string; message: string } }).error).toMatchObject({
          code: 'unauthenticated',
          message: expect.stringMatching(/sign in first/),
        });
      }
    }
  });

  it('are refused with a token nobody holds, and the token is not logged', async () => {
    const r = routes.find((x) => x.name === 'quota') as ServedRoute;
    const res = await call(r, bearer('tok-nobody-has-this-one'));
    expect(res.status).toBe(401);
    expect(((await res.json()) as { error: { message: string } }).error.message).toBe('the bearer token matches no operator');
    expect(logLines.join('')).not.toContain('tok-nobody-has-this-one');
  });
});

describe('a read-only operator', () => {
  it('is refused every change (403) and may read everything else', async () => {
    for (const r of routes.filter((x) => x.access !== 'public')) {
      const res = await call(r, bearer(READER.token));
      if (r.access === 'change') {
        expect([label(r), res.status]).toEqual([label(r), 403]);
        expect(((await res.json()) as { error: { code: string; message: string } }).error).toMatchObject({
          code: 'forbidden',
          message: expect.stringMatching(/^operator rob is read-only/),
        });
      } else {
        expect([label(r), res.status === 401 || res.status === 403]).toEqual([label(r), false]);
      }
    }
  });

  it('is refused a change from a signed-in browser too', async () => {
    const rob = await signIn(base, READER);
    const res = await rob.fetch(`/api/${WS}/bulk/start`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-csrf-token': rob.csrf },
      body: '{}',
    });
    expect(res.status).toBe(403);
  });
});

describe('a signed-in browser', () => {
  it('refuses a cross-site form post, a post without the CSRF token, and accepts one with it', async () => {
    const ann = await signIn(base, ADMIN);
    const form = { 'content-type': 'application/x-www-form-urlencoded' };
    // What a form on another site sends: the browser adds the cookie (if SameSite lets it) and its origin.
    const evil = await ann.fetch(`/api/${WS}/bulk/start`, {
      method: 'POST',
      headers: { ...form, origin: 'http://evil.example' },
      body: 'dryRun=1',
    });
    expect(evil.status).toBe(403);
    expect(((await evil.json()) as { error: { code: string } }).error.code).toBe('cross_site');
    const fetched = await ann.fetch(`/api/${WS}/errors/retry`, {
      method: 'POST',
      headers: { ...form, 'sec-fetch-site': 'cross-site' },
      body: 'ids=x',
    });
    expect(fetched.status).toBe(403);
    const tokenless = await ann.fetch(`/api/${WS}/resync`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"key":"a@b.cd"}',
    });
    expect(tokenless.status).toBe(403);
    expect(((await tokenless.json()) as { error: { code: string } }).error.code).toBe('csrf');
    const withToken = await ann.fetch(`/api/${WS}/resync`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-csrf-token': ann.csrf, origin: base },
      body: '{"key":"a@b.cd"}',
    });
    expect(withToken.status).toBe(200);
    // A token from another session is no good either.
    const rob = await signIn(base, READER);
    const stolen = await ann.fetch(`/api/${WS}/resync`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-csrf-token': rob.csrf },
      body: '{"key":"a@b.cd"}',
    });
    expect(stolen.status).toBe(403);
  });

  it('signs in with an HttpOnly SameSite cookie (Secure behind TLS) and signs out', async () => {
    const login = await fetch(`${base}/login`, { headers: { 'x-forwarded-proto': 'https' } });
    const csrfCookie = login.headers
      .getSetCookie()
      .find((c) => c.startsWith('_csrf='))
      ?.split(';')[0] as string;
    const res = await fetch(`${base}/login`, {
      method: 'POST',
      redirect: 'manual',
      headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: csrfCookie, 'x-forwarded-proto': 'https' },
      body: new URLSearchParams({
        name: ADMIN.name,
        password: ADMIN.password,
        next: `/ws/${WS}/errors`,
        _csrf: csrfOf(await login.text()),
      }),
    });
    expect(res.status).toBe(303);
    expect(res.headers.get('location')).toBe(`/ws/${WS}/errors`);
    const session = res.headers.getSetCookie().find((c) => c.startsWith('ps_session=')) as string;
    expect(session).toMatch(/; HttpOnly/);
    expect(session).toMatch(/; SameSite=Lax/);
    expect(session).toMatch(/; Secure/);
    expect(session).toMatch(/; Path=\//);
    expect(session).not.toContain(SESSION_SECRET);

    const ann = await signIn(base, ADMIN);
    expect((await ann.fetch('/')).status).toBe(200);
    const out = await ann.fetch('/logout', {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ _csrf: ann.csrf }),
    });
    expect(out.status).toBe(303);
    expect((await ann.fetch('/')).status).toBe(303);
  });

  it('refuses a wrong password with 401 and logs it without the password', async () => {
    const get = await fetch(`${base}/login`);
    const cookie = get.headers
      .getSetCookie()
      .map((c) => c.split(';')[0])
      .join('; ');
    const res = await fetch(`${base}/login`, {
      method: 'POST',
      redirect: 'manual',
      headers: { 'content-type': 'application/x-www-form-urlencoded', cookie },
      body: new URLSearchParams({ name: ADMIN.name, password: 'not-the-password-at-all', _csrf: csrfOf(await get.text()) }),
    });
    expect(res.status).toBe(401);
    expect(res.headers.getSetCookie().some((c) => c.startsWith('ps_session='))).toBe(false);
    expect(await res.text()).toContain('Wrong name or password.');
    const logged = logLines.join('');
    expect(logged).toMatch(/"operator":"ann".*"msg":"sign-in refused: wrong name or password"/);
    for (const secret of ['not-the-password-at-all', ADMIN.password, READER.password, ADMIN.token, READER.token, SESSION_SECRET]) {
      expect(logged).not.toContain(secret);
    }
    expect(logged).not.toMatch(/ps_session=|_csrf=/);
  });

  it('opens the errors page from the links runs and emails carry, old ones included', async () => {
    const ann = await signIn(base, ADMIN);
    const page = await ann.fetch(consolePaths.errors(WS));
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('<h1>Sync errors</h1>');
    const old = await ann.fetch(`/errors?ws=${WS}`);
    expect(old.status).toBe(301);
    expect(old.headers.get('location')).toBe(consolePaths.errors(WS));
  });

  it('refuses a sign-in posted from another site', async () => {
    const res = await fetch(`${base}/login`, {
      method: 'POST',
      redirect: 'manual',
      headers: { 'content-type': 'application/x-www-form-urlencoded', origin: 'http://evil.example' },
      body: new URLSearchParams({ name: ADMIN.name, password: ADMIN.password }),
    });
    expect(res.status).toBe(403);
  });
});

describe('a gateway with a public listener and no operators', () => {
  it('serves webhooks and /healthz apart from the console, which refuses everyone', async () => {
    const [port, publicPort] = [await freePort(), await freePort()];
    await sys.startWorker(['gateway'], { http: { host: '127.0.0.1', port, public: { host: '127.0.0.1', port: publicPort } } });
    const inside = `http://127.0.0.1:${port}`;
    const outside = `http://127.0.0.1:${publicPort}`;
    expect((await fetch(`${outside}/healthz`)).status).toBe(200);
    expect((await fetch(`${outside}/webhooks/intercom/${WS}`, { method: 'HEAD' })).status).toBe(200);
    expect((await fetch(`${outside}/api/${WS}/quota`)).status).toBe(404);
    expect((await fetch(`${outside}/login`)).status).toBe(404);
    expect((await fetch(`${inside}/healthz`)).status).toBe(404);
    expect((await fetch(`${inside}/webhooks/intercom/${WS}`, { method: 'HEAD' })).status).toBe(404);
    const refused = await fetch(`${inside}/api/${WS}/quota`, { headers: bearer(ADMIN.token) });
    expect(refused.status).toBe(401);
    expect(((await refused.json()) as { error: { message: string } }).error.message).toMatch(/no operators are configured/);
    expect(await (await fetch(`${inside}/login`)).text()).toContain('No operators are configured');
  });
});
