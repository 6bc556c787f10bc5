import { describe, expect, it } from 'vitest';
import {
  ErrorsQuery,
  WebhookBodyError,
  type WorkspacePage,
  errorsListRequest,
  escapeHtml,
  interpretNotification,
  jsonScript,
  matches,
  renderErrors,
  renderWorkspace,
  safeNext,
  verifySignature,
} from '../../actors/gateway/index.ts';
import { signBody } from '../../sandbox/index.ts';
import type { SyncError, UsageIndicator } from '../../protocol/index.ts';

const enc = (s: string) => new TextEncoder().encode(s);

describe('routes', () => {
  it('match a path to a route pattern, a parameter being any one non-empty segment', () => {
    expect(matches('/api/:ws/errors', '/api/ws1/errors')).toBe(true);
    expect(matches('/api/:ws/errors/:id', '/api/ws1/errors/abc%20d')).toBe(true);
    expect(matches('/api/:ws/errors/:id', '/api/ws1/errors')).toBe(false);
    expect(matches('/api/:ws/bulk', '/api//bulk')).toBe(false);
    expect(matches('/webhooks/intercom/:ws', '/webhooks/intercom/ws1')).toBe(true);
  });

  it('send a signed-in person back to a path on this site only', () => {
    expect(safeNext('/ws/ws1/errors?all=1')).toBe('/ws/ws1/errors?all=1');
    for (const bad of ['https://evil.example/', '//evil.example/x', '/\\evil.example', undefined, 42]) expect(safeNext(bad)).toBe('/');
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
  const query = (q: string) => errorsListRequest(ErrorsQuery.parse(Object.fromEntries(new URLSearchParams(q))));
  const refusal = (q: string) =>
    ErrorsQuery.safeParse(Object.fromEntries(new URLSearchParams(q)))
      .error?.issues.map((i) => `${i.path.join('.')}: ${i.message}`)
      .join('; ');

  it('turn error-list query strings into a request', () => {
    expect(query('type=retry&cause=not_found&since=2024-05-01T00:00:00Z&until=1714600000000&limit=10&offset=20&all=1')).toEqual({
      direction: 'all',
      syncType: 'retry',
      cause: 'not_found',
      since: Date.parse('2024-05-01T00:00:00Z'),
      until: 1714600000000,
      limit: 10,
      offset: 20,
    });
    expect(query('direction=salesforce_to_intercom')).toEqual({ direction: 'salesforce_to_intercom' });
  });

  it('refuse unknown parameters and bad numbers or dates, naming them', () => {
    expect(refusal('colour=red')).toMatch(/Unrecognized key: "colour"/);
    expect(refusal('limit=ten')).toMatch(/^limit: must be a whole number/);
    expect(refusal('since=yesterday')).toMatch(/^since: must be milliseconds since 1970 or an ISO date/);
    expect(refusal('direction=sideways')).toMatch(/^direction: /);
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

  const admin = { name: 'ann', role: 'admin' as const, via: 'session' as const };
  const workspace = (over: Partial<WorkspacePage> = {}) =>
    renderWorkspace({
      ws: 'ws1',
      operator: admin,
      csrf: 'tok',
      settings: { ok: true, value: { settings: null, revision: 0 } },
      usage: { ok: true, value: usage },
      run: { ok: true, value: null },
      history: { ok: true, value: [] },
      schema: { ok: false, error: 'no describe' },
      ...over,
    });

  it('shows the usage warning, the errors with Retry buttons, and escapes every value', () => {
    const html = workspace();
    expect(html).toContain('Bulk sync is paused &lt;until&gt; usage falls');
    expect(html).toContain('data-testid="usage-percent">45%');
    expect(html).toContain('No bulk sync has run yet.');
    const errors = renderErrors({
      ws: 'ws1',
      operator: admin,
      csrf: 'tok',
      filters: { direction: 'intercom_to_salesforce' },
      errors: { ok: true, value: { errors: [err], total: 1 } },
    });
    expect(errors).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(errors).not.toContain('<script>alert(1)');
    expect(errors).toContain('<button type="button" class="retry" data-id="abc">Retry</button>');
    const readOnly = renderErrors({
      ws: 'ws1',
      operator: { ...admin, role: 'read-only' },
      csrf: 'tok',
      filters: { direction: 'all' },
      errors: { ok: true, value: { errors: [err], total: 1 } },
    });
    expect(readOnly).toContain('<button type="button" class="retry" data-id="abc" disabled>Retry</button>');
  });

  it('shows a section as unavailable when its actor did not answer', () => {
    const html = workspace({ ws: 'ws"1', usage: { ok: false, error: 'quota.usage for workspace ws1: no responders' } });
    expect(html).toContain('Usage unavailable: quota.usage for workspace ws1: no responders');
    expect(html).toContain('data-ws="ws&quot;1"');
    expect(escapeHtml(`<a href='x'>&`)).toBe('&lt;a href=&#39;x&#39;&gt;&amp;');
  });

  it('embeds page data that cannot close its script element', () => {
    expect(jsonScript('d', { m: '</script><script>alert(1)</script>' })).toBe(
      '<script type="application/json" id="d">{"m":"\\u003c/script\\u003e\\u003cscript\\u003ealert(1)\\u003c/script\\u003e"}</script>',
    );
  });
});
