// Every failure leaves the Salesforce connector as a typed error that says whether to retry, and
// no error carries the access token, the client secret or the private key.
import { generateKeyPairSync } from 'node:crypto';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ConnectorError } from '../../connectors/errors.ts';
import { createSalesforceClient } from '../../connectors/salesforce/index.ts';
import { startSalesforceSandbox, type SalesforceSandbox } from '../../sandbox/salesforce/index.ts';
import { changes, clientFor } from './salesforce-helpers.ts';

// Alphanumeric on purpose: it is a legal field name, so the server can be made to echo it.
const SECRET = 'Sekr3tClientValue9';
const CLIENT = 'errors-client';

async function failure(p: Promise<unknown>): Promise<ConnectorError> {
  try {
    await p;
  } catch (err) {
    expect(err).toBeInstanceOf(ConnectorError);
    return err as ConnectorError;
  }
  throw new Error('expected the call to fail');
}

/** Everything an error exposes to a log line or a serialiser. */
function exposed(err: ConnectorError): string {
  const cause = err.cause as Error | undefined;
  return [err.message, err.stack, JSON.stringify(err), String(cause?.message), String(cause?.stack), JSON.stringify(cause ?? null)].join(
    '\n',
  );
}

describe('Salesforce connector errors', () => {
  let sb: SalesforceSandbox;
  beforeAll(async () => {
    sb = await startSalesforceSandbox({ clientId: CLIENT, clientSecret: SECRET, seed: { seed: 8, people: 300 } });
  });
  beforeEach(() => {
    sb.clearFaults();
    sb.resetUsage();
    sb.setDailyMax(100_000);
  });
  afterAll(() => sb.close());

  const client = (extra = {}) =>
    clientFor(sb, {
      auth: { kind: 'client_credentials', loginUrl: sb.url, clientId: CLIENT, clientSecret: SECRET },
      ...extra,
    });

  it('REQUEST_LIMIT_EXCEEDED: RequestLimitExceededError, not retried', async () => {
    const { client: c, calls } = client();
    await c.connect();
    sb.setDailyMax(0);
    const err = await failure(c.readPage('Lead', ['Email']));
    expect(err).toMatchObject({ kind: 'request_limit' });
    expect([err.code, err.status, err.retryable]).toEqual(['REQUEST_LIMIT_EXCEEDED', 403, false]);
    expect(calls.map((x) => x.kind)).toEqual(['auth', 'query']);
  });

  it('the concurrent-request limit: RateLimitedError, retryable', async () => {
    const { client: c } = client({ retry: { attempts: 1 } });
    sb.setFaults({ concurrencyLimitNext: 1 });
    const err = await failure(c.readPage('Lead', ['Email']));
    expect(err).toMatchObject({ kind: 'rate_limited' });
    expect(err.retryable).toBe(true);
  });

  it('refused credentials, a dead fixed token and a refused renewal: AuthError', async () => {
    const wrong = createSalesforceClient({
      auth: { kind: 'client_credentials', loginUrl: sb.url, clientId: CLIENT, clientSecret: 'wrong-secret-123' },
    });
    const e1 = await failure(wrong.readPage('Lead', ['Email']));
    expect([e1.name, e1.code, e1.retryable]).toEqual(['AuthError', 'invalid_client', false]);

    const fixed = createSalesforceClient({ auth: { kind: 'token', instanceUrl: sb.url, accessToken: sb.issueToken() } });
    sb.expireSessions();
    const e2 = await failure(fixed.describe('Lead'));
    expect([e2.kind === 'auth', e2.code, e2.status]).toEqual([true, 'INVALID_SESSION_ID', 401]);

    const { client: c, calls } = client();
    await c.connect();
    sb.setFaults({ unauthorizedNext: 5 });
    const e3 = await failure(c.readPage('Lead', ['Email']));
    expect([e3.kind === 'auth', e3.code]).toEqual([true, 'INVALID_SESSION_ID']);
    expect(calls.map((x) => `${x.kind}${x.ok ? '' : '!'}`)).toEqual(['auth', 'query!', 'auth', 'query!']);
  });

  it('bad fields and bad arguments: ValidationError', async () => {
    const { client: c, calls } = client();
    const e1 = await failure(c.readPage('Lead', ['Nope__c']));
    expect([e1.kind === 'invalid', e1.code, e1.status, e1.retryable]).toEqual([true, 'INVALID_FIELD', 400, false]);
    const before = calls.length;
    const e2 = await failure(c.readPage('Lead', ['Email; DROP']));
    expect([e2.kind === 'invalid', e2.code]).toEqual([true, 'INVALID_ARGUMENT']);
    await failure(c.readPage('Account' as 'Lead', ['Email']));
    await failure(changes(c, 'Lead', ['Email'], { modstamp: 'yesterday', id: '00Q000000000001AAA' }));
    expect(calls.length).toBe(before);
    expect(() =>
      createSalesforceClient({ auth: { kind: 'client_credentials', loginUrl: 'nope', clientId: 'x', clientSecret: 'y' } }),
    ).toThrow(/loginUrl/);
  });

  it('5xx answers, dropped connections and timeouts: TransientError after the retries', async () => {
    const { client: c, calls } = client({ retry: { attempts: 3, baseDelayMs: 1, maxDelayMs: 2 } });
    await c.connect();
    sb.setFaults({ errorNext: 3 });
    const e1 = await failure(c.readPage('Lead', ['Email']));
    expect([e1.kind === 'transient', e1.code, e1.status, e1.retryable]).toEqual([true, 'SERVER_UNAVAILABLE', 503, true]);
    expect(calls.filter((x) => x.kind === 'query')).toHaveLength(3);

    sb.setFaults({ errorNext: 0, dropNext: 3 });
    const e2 = await failure(c.readPage('Lead', ['Email']));
    expect(e2).toMatchObject({ kind: 'transient' });

    sb.setFaults({ errorNext: 2 });
    expect((await c.readPage('Lead', ['Email'], { limit: 5 })).records).toHaveLength(5);

    const { client: slow } = client({ timeoutMs: 100, retry: { attempts: 1 } });
    await slow.connect();
    sb.setFaults({ latencyMs: 400 });
    const e3 = await failure(slow.limits());
    expect([e3.kind === 'transient', e3.code]).toEqual([true, 'TIMEOUT']);
  });

  it('keeps the secret, the token and the private key out of every error', async () => {
    const errors: ConnectorError[] = [];
    const { client: c } = client({ retry: { attempts: 1 } });
    // The server echoes an unknown column's name: here, the client secret.
    errors.push(await failure(c.readPage('Lead', [SECRET])));
    const token = sb.issueToken();
    const fixed = createSalesforceClient({ auth: { kind: 'token', instanceUrl: sb.url, accessToken: token }, retry: { attempts: 1 } });
    errors.push(await failure(fixed.readPage('Lead', [token])));
    errors.push(await failure(fixed.readPage('Lead', [`X${token.replace(/\W/g, '')}`])));
    errors.push(await failure(fixed.update([{ type: 'Lead', id: token, fields: {} }])));
    sb.expireSessions();
    errors.push(await failure(fixed.readPage('Lead', ['Email'])));
    sb.setFaults({ errorNext: 1 });
    errors.push(await failure(c.describe('Lead')));
    errors.push(
      await failure(
        createSalesforceClient({
          auth: { kind: 'client_credentials', loginUrl: sb.url, clientId: CLIENT, clientSecret: `${SECRET}x` },
        }).limits(),
      ),
    );
    const keys = generateKeyPairSync('rsa', { modulusLength: 1024 });
    const pem = keys.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
    errors.push(
      await failure(
        createSalesforceClient({ auth: { kind: 'jwt', loginUrl: sb.url, clientId: 'unknown', username: 'u', privateKey: pem } }).limits(),
      ),
    );

    const keyBody = pem.split('\n')[1];
    for (const err of errors) {
      const text = exposed(err);
      expect(text).not.toContain(SECRET);
      expect(text).not.toContain(token);
      expect(text).not.toContain(token.split('!')[1]);
      expect(text).not.toContain(keyBody);
    }
    expect(errors[0].message).toContain('[redacted]');
  });
});
