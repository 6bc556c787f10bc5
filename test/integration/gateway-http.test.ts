// The gateway hosted by a real worker: Intercom webhooks (from the sandbox itself and by hand),
// the JSON API over the control requests with their error statuses, /metrics and /healthz.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ReportSyncError } from '../../protocol/index.ts';
import type { Messenger } from '../../runtime/index.ts';
import { signBody } from '../../sandbox/index.ts';
import { waitFor } from '../helpers/host.ts';
import { freePort } from '../helpers/nats-server.ts';
import { ADMIN, bearer, consoleConfig } from '../helpers/console.ts';
import { type TestSystem, WS, startSystem } from '../helpers/system.ts';
import { IC_ID, SF_CONTACT, messenger, purgeWork, report, workItems } from './errors-helpers.ts';

const SECRET = 'hook-secret'; // the workspace's intercom.webhookSecret in the test system
let sys: TestSystem;
let m: Messenger;
let base: string;

beforeAll(async () => {
  sys = await startSystem({ generator: { people: 10 } });
  const port = await freePort();
  await sys.startWorker(['errors', 'gateway', 'quota', 'mapping'], { http: { host: '127.0.0.1', port }, console: await consoleConfig() });
  base = `http://127.0.0.1:${port}`;
  m = messenger(sys.nc);
}, 60_000);
afterAll(async () => {
  await sys?.stop();
});

const contact = () => sys.sandboxes.intercom.contacts()[0];
const notification = (topic: string, item: unknown) =>
  JSON.stringify({
    type: 'notification_event',
    id: 'notif_1',
    topic,
    app_id: 'app',
    data: { type: 'notification_event_data', item },
    created_at: 1,
    delivery_attempts: 1,
    first_sent_at: 1,
  });
const hook = (body: string, signature: string | null, ws = WS) =>
  fetch(`${base}/webhooks/intercom/${ws}`, {
    method: 'POST',
    body,
    headers: { 'content-type': 'application/json', ...(signature ? { 'x-hub-signature': signature } : {}) },
  });
const matchItems = () => workItems(sys.nc, `peoplesync.work.${WS}.match.>`);
const json = async (res: Response) => ({ status: res.status, body: (await res.json()) as Record<string, unknown> });
/** The API as a script calls it: with an operator's bearer token. */
const api = (path: string, init: RequestInit = {}) =>
  fetch(`${base}${path}`, { ...init, headers: { ...bearer(ADMIN.token), ...(init.headers as Record<string, string>) } });
const post = (path: string, body: unknown) =>
  api(path, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });

describe('webhooks', () => {
  it('answers HEAD, and publishes a signed contact notification as MatchContacts', async () => {
    expect((await fetch(`${base}/webhooks/intercom/${WS}`, { method: 'HEAD' })).status).toBe(200);
    await purgeWork(sys.admin, 'peoplesync.work.*.match.>');
    const c = contact();
    const body = notification('contact.user.updated', c);
    const started = Date.now();
    const res = await hook(body, signBody(body, SECRET));
    expect(res.status).toBe(200);
    expect(Date.now() - started).toBeLessThan(2_000); // generous: the point is that it does not wait for the sync
    // Intercom delivering it again is dropped by its msgId.
    expect((await hook(body, signBody(body, SECRET))).status).toBe(200);
    const items = await matchItems();
    expect(items).toHaveLength(1);
    expect(items[0]).toMatchObject({
      subject: `peoplesync.work.${WS}.match.event`,
      type: 'match.contacts.v1',
      msgId: `ic:${c.id}:${c.updated_at}`,
      body: { source: 'webhook', contacts: [{ id: c.id, email: c.email, role: c.role }] },
    });
  });

  it('refuses a bad or missing signature with 401 and publishes nothing', async () => {
    await purgeWork(sys.admin, 'peoplesync.work.*.match.>');
    const body = notification('contact.user.updated', contact());
    const bad = await json(await hook(body, signBody(body, 'not-the-secret')));
    expect(bad).toMatchObject({ status: 401, body: { error: { code: 'bad_signature' } } });
    expect((await hook(body, null)).status).toBe(401);
    expect((await hook(body + ' ', signBody(body, SECRET))).status).toBe(401);
    expect(await matchItems()).toHaveLength(0);
  });

  it('syncs nothing for a deleted contact, refuses a malformed item and an unknown workspace', async () => {
    await purgeWork(sys.admin, 'peoplesync.work.*.match.>');
    const deleted = notification('contact.deleted', { type: 'contact', id: IC_ID });
    expect(await json(await hook(deleted, signBody(deleted, SECRET)))).toMatchObject({ status: 200, body: { action: 'deleted' } });
    const broken = notification('contact.lead.created', { id: 'x' });
    const r = await json(await hook(broken, signBody(broken, SECRET)));
    expect(r).toMatchObject({ status: 400, body: { error: { message: expect.stringMatching(/data\.item\.role/) } } });
    expect((await hook(deleted, signBody(deleted, SECRET), 'elsewhere')).status).toBe(404);
    expect(await matchItems()).toHaveLength(0);
  });

  it('receives what the Intercom sandbox sends when a person changes', async () => {
    await purgeWork(sys.admin, 'peoplesync.work.*.match.>');
    sys.sandboxes.intercom.configure({ webhook: { url: `${base}/webhooks/intercom/${WS}`, clientSecret: SECRET, appId: 'app' } });
    try {
      const c = contact();
      const changed = sys.sandboxes.intercom.userChange(c.id, { name: 'Renamed Person' });
      await sys.sandboxes.intercom.drainWebhooks();
      expect(sys.sandboxes.intercom.stats()).toMatchObject({ webhooksFailed: 0 });
      const items = await waitFor(
        async () => {
          const w = await matchItems();
          return w.length ? w : null;
        },
        { what: 'MatchContacts' },
      );
      expect(items[0].body).toMatchObject({
        source: 'webhook',
        contacts: [{ id: c.id, name: 'Renamed Person', updated_at: changed.updated_at }],
      });
    } finally {
      sys.sandboxes.intercom.configure({ webhook: null });
    }
  });
});

describe('JSON API', () => {
  it('lists, shows, counts and retries sync errors', async () => {
    await m.publish(ReportSyncError, WS, report({ at: Date.now() }), { cls: 'event' });
    const listed = await waitFor(
      async () => {
        const r = await json(await api(`/api/${WS}/errors?cause=validation_rule&limit=5`));
        return (r.body.total as number) > 0 ? r : null;
      },
      { what: 'the error over HTTP' },
    );
    expect(listed.status).toBe(200);
    const e = (listed.body.errors as { id: string; sfId: string }[])[0];
    expect(e.sfId).toBe(SF_CONTACT);
    expect(await json(await api(`/api/${WS}/errors/${e.id}`))).toMatchObject({
      status: 200,
      body: { error: { id: e.id, attempts: 1 } },
    });
    expect(await json(await api(`/api/${WS}/errors/count`))).toMatchObject({
      status: 200,
      body: { byCause: { validation_rule: 1 }, total: 1 },
    });
    expect((await json(await api(`/api/${WS}/errors?direction=salesforce_to_intercom`))).body).toMatchObject({ total: 0 });
    await purgeWork(sys.admin, 'peoplesync.work.*.match.>');
    expect(await json(await post(`/api/${WS}/errors/retry`, { ids: [e.id] }))).toEqual({ status: 200, body: { queued: 1 } });
    expect(await json(await post(`/api/${WS}/resync`, { key: 'someone@example.com' }))).toEqual({
      status: 200,
      body: { queued: 1, requestId: expect.stringMatching(/^resync:/) },
    });
    const items = await matchItems();
    expect(items.map((i) => i.subject.split('.').pop())).toEqual(['retry', 'interactive']);
    // Who asked is the operator the token belongs to, whatever the body says.
    expect(items[0].body).toMatchObject({ errorIds: [e.id], requestedBy: ADMIN.name });
  });

  it('answers control errors with their status and the JSON error body', async () => {
    expect(await json(await api(`/api/${WS}/errors/0123456789abcdef01234567`))).toMatchObject({
      status: 404,
      body: { error: { code: 'not_found' } },
    });
    expect(await json(await post(`/api/${WS}/resync`, { key: 'nobody' }))).toMatchObject({
      status: 400,
      body: { error: { code: 'invalid_key', status: 400 } },
    });
    expect(await json(await post(`/api/${WS}/resync`, {}))).toMatchObject({
      status: 400,
      body: { error: { code: 'invalid_request', message: expect.stringMatching(/key/) } },
    });
    expect(await json(await api(`/api/${WS}/errors?since=someday`))).toMatchObject({
      status: 400,
      body: { error: { message: expect.stringMatching(/since/) } },
    });
    expect(await json(await api(`/api/${WS}/errors?direction=sideways`))).toMatchObject({
      status: 400,
      body: { error: { message: expect.stringMatching(/direction/) } },
    });
    // The coordinator is not hosted by this worker: nothing answers bulk requests.
    expect(await json(await api(`/api/${WS}/bulk`))).toMatchObject({
      status: 503,
      body: { error: { message: expect.stringMatching(/bulk.status for workspace ws1/) } },
    });
    expect(await json(await api(`/api/nowhere/errors`))).toMatchObject({
      status: 404,
      body: { error: { code: 'unknown_workspace' } },
    });
    const form = await api(`/api/${WS}/bulk/start`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'dryRun=1',
    });
    expect(form.status).toBe(415);
    const wrong = await api(`/api/${WS}/settings`, { method: 'DELETE' });
    expect(wrong.status).toBe(405);
    expect(wrong.headers.get('allow')).toBe('GET, PUT');
    expect((await fetch(`${base}/nothing/here`)).status).toBe(404);
  });

  it('serves the usage indicator and the settings through their actors', async () => {
    const usage = await waitFor(
      async () => {
        const r = await json(await api(`/api/${WS}/quota`));
        return r.status === 200 ? r : null;
      },
      { what: 'the quota leader' },
    );
    expect(usage.body).toMatchObject({ ws: WS, tier: 'normal', definedLimit: expect.any(Number) });
    const settings = await json(await api(`/api/${WS}/settings`));
    expect(settings).toMatchObject({ status: 200, body: { revision: expect.any(Number), settings: { sfApiLimit: expect.any(Number) } } });
    const refused = await json(
      await api(`/api/${WS}/settings`, {
        method: 'PUT',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ settings: { mappings: 'none' } }),
      }),
    );
    expect(refused.status).toBe(400);
    expect(JSON.stringify(refused.body)).toMatch(/mappings/);
  });
});

describe('operations', () => {
  it('reports health and exposes Prometheus metrics', async () => {
    expect(await json(await fetch(`${base}/healthz`))).toMatchObject({ status: 200, body: { status: 'ok', nats: { connected: true } } });
    const res = await fetch(`${base}/metrics`);
    expect(res.headers.get('content-type')).toMatch(/text\/plain/);
    const text = await res.text();
    expect(text).toMatch(/^peoplesync_process_cpu_user_seconds_total \d/m);
    expect(text).toMatch(/^peoplesync_http_requests_total\{route="errors\.list",method="GET",status="200"\} [1-9]/m);
    expect(text).toMatch(/^peoplesync_http_requests_total\{route="webhook",method="POST",status="401"\} [1-9]/m);
    expect(text).toMatch(/^peoplesync_webhooks_total\{outcome="sync"\} [1-9]/m);
  });
});
