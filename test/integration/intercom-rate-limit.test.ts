// The rate limit as the sandbox enforces it (fixed windows, X-RateLimit-* on every answer, 429
// error.list) and the connector's pacer: callers sharing it wait for the reset instead of
// storming the service with retries.
import { afterEach, describe, expect, it } from 'vitest';
import { createIntercomClient, RatePacer, type IntercomClient } from '../../connectors/intercom/index.ts';
import type { ConnectorError } from '../../connectors/errors.ts';
import { startIntercomSandbox, type IntercomSandbox } from '../../sandbox/intercom/index.ts';

const TOKEN = 'rate-limit-token';
const cleanup: Array<() => Promise<void>> = [];
afterEach(async () => {
  while (cleanup.length) await cleanup.pop()!();
});

async function sandbox(limit: number, windowMs = 1000): Promise<IntercomSandbox> {
  const sb = await startIntercomSandbox({ token: TOKEN, rateLimit: { limit, windowMs } });
  cleanup.push(() => sb.close());
  return sb;
}

function client(sb: IntercomSandbox, extra: Partial<Parameters<typeof createIntercomClient>[0]> = {}): IntercomClient {
  const c = createIntercomClient({ baseUrl: sb.url, token: TOKEN, ...extra });
  cleanup.push(() => c.close());
  return c;
}

/** Waits until just after a window starts, so a test's calls do not straddle a boundary by chance. */
async function atWindowStart(windowMs = 1000): Promise<void> {
  await new Promise((r) => setTimeout(r, windowMs - (Date.now() % windowMs) + 20));
}

describe('sandbox rate limit', () => {
  it('answers X-RateLimit-* on every answer and a 429 error.list over the limit', async () => {
    const sb = await sandbox(3, 2000);
    await atWindowStart(2000);
    const call = (token = TOKEN) => fetch(`${sb.url}/contacts`, { headers: { authorization: `Bearer ${token}` } });
    const answers = [];
    for (let i = 0; i < 4; i += 1) answers.push(await call());
    const unauthorized = await call('nope');
    expect(answers.map((r) => r.status)).toEqual([200, 200, 200, 429]);
    expect(answers.map((r) => r.headers.get('x-ratelimit-remaining'))).toEqual(['2', '1', '0', '0']);
    for (const r of [...answers, unauthorized]) {
      expect(r.headers.get('x-ratelimit-limit')).toBe('3');
      const reset = Number(r.headers.get('x-ratelimit-reset'));
      expect((reset * 1000) % 2000).toBe(0);
      expect(reset * 1000 - Date.now()).toBeGreaterThan(0);
      expect(reset * 1000 - Date.now()).toBeLessThanOrEqual(2000);
    }
    expect(unauthorized.status).toBe(401);
    const body = (await answers[3].json()) as Record<string, unknown>;
    expect(body).toMatchObject({
      type: 'error.list',
      errors: [{ code: 'rate_limit_exceeded', message: 'Exceeded rate limit of 3 in 2_seconds' }],
    });
    expect(typeof body.request_id).toBe('string');
    expect(sb.stats().rateLimited).toBe(1);
  });

  // API-FACTS "Intercom REST API": the rate-limit headers come with every answer.
  it('defaults to 1666 per 10-second window and cannot be turned off', async () => {
    const sb = await startIntercomSandbox({ token: TOKEN });
    cleanup.push(() => sb.close());
    const r = await fetch(`${sb.url}/contacts`, { headers: { authorization: `Bearer ${TOKEN}` } });
    expect(r.headers.get('x-ratelimit-limit')).toBe('1666');
    expect(Number(r.headers.get('x-ratelimit-reset')) % 10).toBe(0);
    expect(() => sb.configure({ rateLimit: false as never })).toThrow(/always limits/);
    await expect(startIntercomSandbox({ rateLimit: false as never })).rejects.toThrow(/always limits/);
    const still = await fetch(`${sb.url}/contacts`, { headers: { authorization: `Bearer ${TOKEN}` } });
    expect(still.headers.get('x-ratelimit-limit')).toBe('1666');
    sb.setFaults({ failNext: 1 });
    const failed = await fetch(`${sb.url}/contacts`, { headers: { authorization: `Bearer ${TOKEN}` } });
    expect([failed.status, failed.headers.get('x-ratelimit-limit')]).toEqual([503, '1666']);
  });

  it('refuses a window that is not a whole number of seconds', async () => {
    await expect(startIntercomSandbox({ rateLimit: { limit: 10, windowMs: 1500 } })).rejects.toThrow(/whole number of seconds/);
  });
});

describe('connector pacing', () => {
  it('without pacing, surfaces 429 as RateLimitedError with the wait until the reset', async () => {
    const sb = await sandbox(5);
    const c = client(sb, { pacing: false });
    await atWindowStart();
    const results = await Promise.allSettled(Array.from({ length: 8 }, () => c.listContactsPage()));
    const refused = results.filter((r) => r.status === 'rejected').map((r) => (r as PromiseRejectedResult).reason as unknown);
    expect(refused).toHaveLength(3);
    for (const err of refused) {
      expect(err).toMatchObject({ kind: 'rate_limited' });
      expect(err).toMatchObject({ status: 429, code: 'rate_limit_exceeded', retryable: true });
      expect((err as ConnectorError).retryAfterMs).toBeGreaterThan(0);
      expect((err as ConnectorError).retryAfterMs).toBeLessThanOrEqual(1000);
    }
  });

  it('keeps concurrent callers within the limit: every update lands, no 429 once the budget is known', async () => {
    const sb = await sandbox(20);
    const [x] = sb.createContacts([{ email: 'paced@example.com' }]);
    const c = client(sb);
    await c.getContact(x.id); // learn the budget first
    const started = Date.now();
    let next = 0;
    const worker = async () => {
      while (next < 50) {
        next += 1;
        await c.updateContact(x.id, { name: `n${next}` });
      }
    };
    await Promise.all(Array.from({ length: 8 }, worker));
    expect(sb.stats().calls['PUT /contacts/{id}']).toBe(50);
    expect(sb.stats().rateLimited).toBe(0);
    // 51 calls at 20 a window need at least two window changes.
    expect(Date.now() - started).toBeGreaterThan(1000);
  });

  it('after a 429 burst from an unknown budget, all callers wait for one reset: no retry storm', async () => {
    const sb = await sandbox(10);
    const [x] = sb.createContacts([{ email: 'storm@example.com' }]);
    const pacer = new RatePacer();
    const a = client(sb, { pacer });
    const b = client(sb, { pacer });
    await atWindowStart();
    // 24 callers start at once, knowing nothing: at most 14 can be refused in the first window.
    await Promise.all(Array.from({ length: 24 }, (_, i) => (i % 2 ? a : b).updateContact(x.id, { name: `s${i}` })));
    const stats = sb.stats();
    expect(stats.calls['PUT /contacts/{id}']).toBe(24 + stats.rateLimited);
    expect(stats.rateLimited).toBeGreaterThan(0);
    expect(stats.rateLimited).toBeLessThanOrEqual(14);
  });

  it('gives up with RateLimitedError when 429 retries are spent, then waits for the reset itself', async () => {
    const sb = await sandbox(1);
    const c = client(sb, { rateLimitRetries: 0 });
    await atWindowStart();
    // Both go out before any answer told the budget: one passes, one is refused and not retried.
    const first = await Promise.allSettled([c.listContactsPage(), c.listContactsPage()]);
    expect(first.map((r) => r.status).sort()).toEqual(['fulfilled', 'rejected']);
    const refused = first.find((r) => r.status === 'rejected') as PromiseRejectedResult;
    expect(refused.reason).toMatchObject({ kind: 'rate_limited' });
    // Now the pacer knows the window is spent: the next call waits for the reset, no new 429.
    const before = Date.now();
    await c.listContactsPage();
    expect(Date.now() - before).toBeGreaterThan(300);
    expect(sb.stats().rateLimited).toBe(1);
  });
});
