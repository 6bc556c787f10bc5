// The sandbox's daily API window, other integrations' usage, OAuth grants (client credentials
// and JWT bearer), session expiry and call-level faults.
import { generateKeyPairSync, sign } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { JWT_BEARER, startSalesforceSandbox, type SalesforceSandbox } from '../../sandbox/salesforce/index.ts';
import { api, CLIENT_ID, CLIENT_SECRET } from './salesforce-helpers.ts';

const HOUR = 3_600_000;
const token = (sb: SalesforceSandbox, params: Record<string, string>) =>
  fetch(`${sb.url}/services/oauth2/token`, { method: 'POST', body: new URLSearchParams(params) }).then(async (r) => ({
    status: r.status,
    body: (await r.json()) as Record<string, string>,
  }));

describe('Salesforce sandbox daily limit', () => {
  let now = Date.UTC(2025, 0, 1);
  let sb: SalesforceSandbox;
  beforeAll(async () => {
    sb = await startSalesforceSandbox({ dailyMax: 5, now: () => now, seed: { seed: 1, people: 10 } });
  });
  afterAll(() => sb.close());

  it('counts every call in a rolling 24 hours and refuses calls past Max', async () => {
    const t = sb.issueToken();
    const usage: string[] = [];
    for (let i = 0; i < 5; i++) {
      const res = await api(sb, '/services/data/v62.0/limits', { token: t });
      usage.push(res.headers.get('sforce-limit-info')!);
      now += HOUR;
    }
    expect(usage).toEqual(['api-usage=1/5', 'api-usage=2/5', 'api-usage=3/5', 'api-usage=4/5', 'api-usage=5/5']);
    const refused = await api(sb, '/services/data/v62.0/limits', { token: t });
    expect([refused.status, refused.body]).toEqual([
      403,
      [{ message: 'TotalRequests Limit exceeded.', errorCode: 'REQUEST_LIMIT_EXCEEDED' }],
    ]);
    expect(refused.headers.get('sforce-limit-info')).toBe('api-usage=5/5');
    now += 19 * HOUR - 1000; // the first call is still inside the window
    // The session has been idle longer than the two-hour timeout: a new one is needed.
    expect((await api(sb, '/services/data/v62.0/limits', { token: t })).status).toBe(401);
    expect((await api(sb, '/services/data/v62.0/limits')).status).toBe(403);
    now += 2 * 60_000; // now it has aged out
    const again = await api(sb, '/services/data/v62.0/limits');
    expect(again.status).toBe(200);
    expect((again.body as { DailyApiRequests: unknown }).DailyApiRequests).toEqual({ Max: 5, Remaining: 0 });
    expect(sb.stats()).toMatchObject({ limited: 2, unauthorized: 1 });
  });

  it("adds other integrations' usage and lets the admin change Max", async () => {
    sb.resetUsage();
    const set = await fetch(`${sb.url}/__admin/usage`, { method: 'POST', body: JSON.stringify({ max: 1000, other: 300, addOther: 20 }) });
    expect(await set.json()).toMatchObject({ max: 1000, other: 320, own: 0, used: 320, remaining: 680 });
    const res = await api(sb, '/services/data/v62.0/limits');
    expect(res.headers.get('sforce-limit-info')).toBe('api-usage=321/1000');
    expect((res.body as { DailyApiRequests: unknown }).DailyApiRequests).toEqual({ Max: 1000, Remaining: 679 });
    sb.advanceClock(25 * HOUR);
    expect(sb.usage().used).toBe(0);
    const bad = await fetch(`${sb.url}/__admin/usage`, { method: 'POST', body: JSON.stringify({ max: -1 }) });
    expect(bad.status).toBe(400);
  });
});

describe('Salesforce sandbox OAuth and faults', () => {
  const keys = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const other = generateKeyPairSync('rsa', { modulusLength: 2048 });
  let sb: SalesforceSandbox;
  beforeAll(async () => {
    sb = await startSalesforceSandbox({
      clientId: CLIENT_ID,
      clientSecret: CLIENT_SECRET,
      username: 'sync@example.com',
      jwtPublicKey: keys.publicKey.export({ type: 'spki', format: 'pem' }).toString(),
    });
  });
  afterAll(() => sb.close());

  const jwt = (claims: Record<string, unknown>, key = keys.privateKey) => {
    const part = (v: unknown) => Buffer.from(JSON.stringify(v)).toString('base64url');
    const body = `${part({ alg: 'RS256' })}.${part({ iss: CLIENT_ID, sub: 'sync@example.com', aud: sb.url, exp: Math.floor(Date.now() / 1000) + 180, ...claims })}`;
    return `${body}.${sign('RSA-SHA256', Buffer.from(body), key).toString('base64url')}`;
  };

  it('grants client credentials and refuses wrong ones with invalid_client', async () => {
    const ok = await token(sb, { grant_type: 'client_credentials', client_id: CLIENT_ID, client_secret: CLIENT_SECRET });
    expect(ok.status).toBe(200);
    expect((await api(sb, '/services/data/v62.0/limits', { token: ok.body.access_token })).status).toBe(200);
    const bad = await token(sb, { grant_type: 'client_credentials', client_id: CLIENT_ID, client_secret: 'wrong' });
    expect(bad).toEqual({ status: 400, body: { error: 'invalid_client', error_description: 'invalid client credentials' } });
    expect((await token(sb, { grant_type: 'password' })).body.error).toBe('unsupported_grant_type');
  });

  it('verifies JWT bearer assertions: signature, issuer, subject, audience, expiry', async () => {
    expect((await token(sb, { grant_type: JWT_BEARER, assertion: jwt({}) })).status).toBe(200);
    const cases: Array<[string, string]> = [
      [jwt({}, other.privateKey), 'invalid_grant'],
      [jwt({ iss: 'someone-else' }), 'invalid_client'],
      [jwt({ sub: 'intruder@example.com' }), 'invalid_grant'],
      [jwt({ aud: 'https://evil.example' }), 'invalid_grant'],
      [jwt({ exp: Math.floor(Date.now() / 1000) - 10 }), 'invalid_grant'],
      ['not.a.jwt', 'invalid_grant'],
    ];
    for (const [assertion, error] of cases) {
      const res = await token(sb, { grant_type: JWT_BEARER, assertion });
      expect([res.status, res.body.error]).toEqual([400, error]);
    }
  });

  it('expires every session on demand: the next call gets 401 INVALID_SESSION_ID', async () => {
    const t = sb.issueToken();
    expect((await api(sb, '/services/data/v62.0/limits', { token: t })).status).toBe(200);
    await fetch(`${sb.url}/__admin/sessions/expire`, { method: 'POST' });
    const res = await api(sb, '/services/data/v62.0/limits', { token: t });
    expect([res.status, res.body]).toEqual([401, [{ message: 'Session expired or invalid', errorCode: 'INVALID_SESSION_ID' }]]);
  });

  it('injects 5xx answers, dropped connections and concurrency refusals, then recovers', async () => {
    const t = sb.issueToken();
    sb.setFaults({ errorNext: 1, dropNext: 1, concurrencyLimitNext: 1 });
    await expect(fetch(`${sb.url}/services/data/v62.0/limits`, { headers: { authorization: `Bearer ${t}` } })).rejects.toThrow();
    const failed = await api(sb, '/services/data/v62.0/limits', { token: t });
    expect([failed.status, (failed.body as Array<{ errorCode: string }>)[0].errorCode]).toEqual([503, 'SERVER_UNAVAILABLE']);
    const busy = await api(sb, '/services/data/v62.0/limits', { token: t });
    expect([busy.status, (busy.body as Array<{ message: string }>)[0].message]).toEqual([
      403,
      'ConcurrentRequests (Concurrent API Requests) Limit exceeded.',
    ]);
    expect((await api(sb, '/services/data/v62.0/limits', { token: t })).status).toBe(200);
    expect(sb.stats()).toMatchObject({ dropped: 1, injectedErrors: 1 });
    expect(() => sb.setFaults({ errorRate: 2 })).toThrow(/errorRate/);

    // Rates draw from a seeded generator: the same seed fails the same calls.
    const run = async () => {
      sb.setFaults({ errorRate: 0.5, seed: 99 });
      const statuses: number[] = [];
      for (let i = 0; i < 20; i++) statuses.push((await api(sb, '/services/data/v62.0/limits', { token: t })).status);
      sb.clearFaults();
      return statuses;
    };
    const first = await run();
    expect(first.filter((s) => s === 503).length).toBeGreaterThan(3);
    expect(first.filter((s) => s === 200).length).toBeGreaterThan(3);
    expect(await run()).toEqual(first);
  });
});
