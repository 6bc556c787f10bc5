import { describe, expect, it } from 'vitest';
import {
  BadRequestError,
  WebhookBodyError,
  errorsListRequest,
  escapeHtml,
  interpretNotification,
  jsonBody,
  matchRoute,
  renderPage,
  verifySignature,
} from '../../actors/gateway/index.ts';
import { signBody } from '../../sandbox/index.ts';
import type { SyncError, UsageIndicator } from '../../protocol/index.ts';

const enc = (s: string) => new TextEncoder().encode(s);

describe('routes', () => {
  it('match by method and path, with parameters decoded', () => {
    expect(matchRoute('GET', '/api/ws1/errors')).toEqual({ kind: 'route', name: 'errors.list', params: { ws: 'ws1' } });
    expect(matchRoute('GET', '/api/ws1/errors/count')).toMatchObject({ name: 'errors.count' });
    expect(matchRoute('GET', '/api/ws1/errors/abc%20d')).toEqual({
      kind: 'route',
      name: 'errors.show',
      params: { ws: 'ws1', id: 'abc d' },
    });
    expect(matchRoute('POST', '/api/ws1/errors/retry')).toMatchObject({ name: 'errors.retry' });
    expect(matchRoute('HEAD', '/webhooks/intercom/ws1/')).toMatchObject({ name: 'webhook', params: { ws: 'ws1' } });
    expect(matchRoute('PUT', '/api/ws1/settings')).toMatchObject({ name: 'settings.put' });
  });

  it('tell a wrong method from an unknown path', () => {
    expect(matchRoute('DELETE', '/api/ws1/settings')).toEqual({ kind: 'method_not_allowed', allowed: ['GET', 'PUT'] });
    expect(matchRoute('GET', '/api/ws1/nothing')).toEqual({ kind: 'not_found' });
    expect(matchRoute('GET', '/api//bulk')).toEqual({ kind: 'not_found' });
  });
});

describe('webhooks', () => {
  const contact = {
    type: 'contact',
    id: '65f0c0ffee00000000000001',
    role: 'user',
    email: 'a@b.c',
    updated_at: 1_700_000_000,
    custom_attributes: {},
  };
  const body = JSON.stringify({
    type: 'notification_event',
    topic: 'contact.user.updated',
    data: { type: 'notification_event_data', item: contact },
  });

  it('accept exactly the HMAC-SHA1 of the raw body under the secret', () => {
    expect(verifySignature(enc(body), signBody(body, 's3cret'), 's3cret')).toBe(true);
    expect(verifySignature(enc(body), signBody(body, 's3cret').toUpperCase().replace('SHA1', 'sha1'), 's3cret')).toBe(true);
    expect(verifySignature(enc(body + ' '), signBody(body, 's3cret'), 's3cret')).toBe(false);
    expect(verifySignature(enc(body), signBody(body, 'other'), 's3cret')).toBe(false);
    expect(verifySignature(enc(body), undefined, 's3cret')).toBe(false);
    expect(verifySignature(enc(body), 'sha1=', 's3cret')).toBe(false);
  });

  it('turn a contact notification into a sync with a msgId of id and updated_at', () => {
    expect(interpretNotification(enc(body))).toMatchObject({
      kind: 'sync',
      topic: 'contact.user.updated',
      msgId: 'ic:65f0c0ffee00000000000001:1700000000',
      contact: { id: contact.id, email: 'a@b.c' },
    });
  });

  it('sync nothing for a deleted contact or another topic', () => {
    expect(interpretNotification(enc(JSON.stringify({ topic: 'contact.deleted', data: { item: { id: 'x1' } } })))).toEqual({
      kind: 'deleted',
      topic: 'contact.deleted',
      id: 'x1',
    });
    expect(interpretNotification(enc(JSON.stringify({ topic: 'ping', data: {} })))).toEqual({ kind: 'ignored', topic: 'ping' });
  });

  it('refuse a body that is not a notification, naming what is wrong', () => {
    expect(() => interpretNotification(enc('{oops'))).toThrow(/not JSON/);
    expect(() => interpretNotification(enc('{}'))).toThrow(/no string "topic"/);
    expect(() =>
      interpretNotification(enc(JSON.stringify({ topic: 'contact.user.updated', data: { item: { ...contact, role: 'admin' } } }))),
    ).toThrow(WebhookBodyError);
    expect(() => interpretNotification(enc(JSON.stringify({ topic: 'contact.lead.created', data: { item: { id: 'x' } } })))).toThrow(
      /data\.item\.role/,
    );
  });
});

describe('API parameters', () => {
  it('turn error-list query strings into a request', () => {
    const q = new URLSearchParams('type=retry&cause=not_found&since=2024-05-01T00:00:00Z&until=1714600000000&limit=10&offset=20&all=1');
    expect(errorsListRequest(q)).toEqual({
      direction: 'all',
      syncType: 'retry',
      cause: 'not_found',
      since: Date.parse('2024-05-01T00:00:00Z'),
      until: 1714600000000,
      limit: 10,
      offset: 20,
    });
    expect(errorsListRequest(new URLSearchParams('direction=salesforce_to_intercom'))).toEqual({ direction: 'salesforce_to_intercom' });
  });

  it('refuse unknown parameters and bad numbers or dates', () => {
    expect(() => errorsListRequest(new URLSearchParams('colour=red'))).toThrow(/unknown query parameter\(s\) colour/);
    expect(() => errorsListRequest(new URLSearchParams('limit=ten'))).toThrow(/limit must be a whole number/);
    expect(() => errorsListRequest(new URLSearchParams('since=yesterday'))).toThrow(BadRequestError);
  });

  it('accept only JSON objects as bodies', () => {
    expect(jsonBody(enc(''))).toEqual({});
    expect(jsonBody(enc('{"ids":["a"]}'))).toEqual({ ids: ['a'] });
    expect(() => jsonBody(enc('[1]'))).toThrow(/JSON object/);
    expect(() => jsonBody(enc('{'))).toThrow(/not JSON/);
  });
});

describe('the workspace page', () => {
  const usage: UsageIndicator = {
    ws: 'ws1',
    orgLimit: 100_000,
    orgUsed: 50_000,
    definedLimit: 1_000,
    usedByWorkspace: 450,
    usedByOthers: 49_550,
    remaining: 550,
    consumptionPercent: 45.2,
    tier: 'bulk_paused',
    orgExhausted: false,
    warning: 'Bulk sync is paused <until> usage falls',
    at: 1,
  };
  const err: SyncError = {
    id: 'abc',
    ws: 'ws1',
    syncType: 'event',
    direction: 'intercom_to_salesforce',
    sfObject: 'Contact',
    sfId: '003x',
    icId: 'ic1',
    attributes: ['Title'],
    cause: 'validation_rule',
    message: '<script>alert(1)</script>',
    details: {},
    run: null,
    firstAt: 0,
    lastAt: 0,
    attempts: 3,
  };

  it('shows the usage warning, the errors with Retry buttons, and escapes every value', () => {
    const html = renderPage({
      ws: 'ws1',
      usage: { ok: true, value: usage },
      run: { ok: true, value: null },
      errors: { ok: true, value: { errors: [err], total: 1 } },
      allDirections: false,
    });
    expect(html).toContain('Bulk sync is paused &lt;until&gt; usage falls');
    expect(html).toContain('data-testid="usage-percent">45%');
    expect(html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(html).not.toContain('<script>alert(1)');
    expect(html).toContain('<button type="button" class="retry" data-id="abc">Retry</button>');
    expect(html).toContain('No bulk sync has run yet.');
  });

  it('shows a section as unavailable when its actor did not answer', () => {
    const html = renderPage({
      ws: 'ws"1',
      usage: { ok: false, error: 'quota.usage for workspace ws1: no responders' },
      run: { ok: true, value: null },
      errors: { ok: true, value: { errors: [], total: 0 } },
      allDirections: true,
    });
    expect(html).toContain('Usage unavailable: quota.usage for workspace ws1: no responders');
    expect(html).toContain('data-ws="ws&quot;1"');
    expect(escapeHtml(`<a href='x'>&`)).toBe('&lt;a href=&#39;x&#39;&gt;&amp;');
  });
});
