// The connector's requests against a Prism mock of the official Intercom 2.14 description:
// Prism answers 422 for any body, query or header that breaks the schema, so every call here
// passing proves our request shapes match the real API's contract (Prism has no state, so only
// shapes are checked, not behaviour). Then Prism as a validating proxy in front of the sandbox
// checks the sandbox's answers against the same description.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, realpathSync } from 'node:fs';
import { createServer } from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createIntercomClient, updatedSinceQuery, type IntercomClient, type TransportKind } from '../../connectors/intercom/index.ts';
import type { IcContact, IcSearchQuery } from '../../connectors/types.ts';
import { startIntercomSandbox } from '../../sandbox/intercom/index.ts';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
// The official description, kept in the repository (test/fixtures/reference/README.md says where from).
const SPEC = path.join(repoRoot, 'test', 'fixtures', 'reference', 'intercom', 'api.intercom.io-2.14.prism.yaml');
const PRISM = path.join(repoRoot, 'node_modules', '.bin', 'prism');
const TOKEN = 'prism-token';

interface Prism {
  url: string;
  log: () => string;
  startedMs: number;
  stop: () => Promise<void>;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
}

/** `prism mock <spec>` or `prism proxy <spec> <upstream>` on a free port; resolves once it listens. */
async function startPrism(mode: 'mock' | 'proxy', upstream?: string): Promise<Prism> {
  if (!existsSync(SPEC))
    throw new Error(`the Intercom OpenAPI description is missing at ${SPEC} (it is part of the repository: restore it from git)`);
  const port = await freePort();
  const started = Date.now();
  // Run Prism's own script under this node, so killing the child stops Prism itself.
  const args = [realpathSync(PRISM), mode, '-h', '127.0.0.1', '-p', String(port), SPEC, ...(upstream ? [upstream] : [])];
  const child: ChildProcess = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let log = '';
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`Prism did not listen within 45 s:\n${log.slice(-2000)}`)), 45_000);
    const onData = (chunk: Buffer) => {
      log += chunk.toString();
      if (log.includes('Prism is listening')) {
        clearTimeout(timer);
        resolve();
      }
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`Prism exited with ${code}:\n${log.slice(-2000)}`));
    });
  });
  const stop = async () => {
    if (child.exitCode !== null) return;
    const exited = new Promise((r) => child.once('exit', r));
    child.kill('SIGTERM');
    await exited;
  };
  return { url: `http://127.0.0.1:${port}`, log: () => log, startedMs: Date.now() - started, stop };
}

/** Validation failures of requests Prism logged after `since`. */
function requestViolations(log: string, since: number): string[] {
  return log
    .slice(since)
    .split('\n')
    .filter((l) => /Violation: request|Request (body|query|header)/i.test(l));
}

let mock: Prism;

beforeAll(async () => {
  mock = await startPrism('mock');
  console.info(`Prism 5.14.2 mock on Node ${process.version} listened after ${mock.startedMs} ms`);
}, 60_000);

afterAll(async () => {
  await mock?.stop();
});

// Both transports: bare undici (the default) and the official SDK.
for (const transport of ['undici', 'sdk'] as const satisfies readonly TransportKind[]) {
  describe(`requests over ${transport} conform to the official description (Prism mock)`, () => {
    let client: IntercomClient;
    let logFrom = 0;
    beforeAll(() => {
      logFrom = mock.log().length;
      client = createIntercomClient({ baseUrl: mock.url, token: TOKEN, transientRetries: 0, transport });
    });
    afterAll(() => client.close());

    it('lists contacts with per_page and a cursor', async () => {
      const page = await client.listContactsPage();
      expect(Array.isArray(page.contacts)).toBe(true);
      await expect(client.listContactsPage('WzE3MDAwMDAwMDAsIjEyMyJd', 25)).resolves.toBeDefined();
    });

    it('searches with a single filter, nested groups and a body cursor', async () => {
      const nested: IcSearchQuery = {
        operator: 'AND',
        value: [
          {
            operator: 'OR',
            value: [
              { field: 'role', operator: '=', value: 'lead' },
              { field: 'email', operator: '$', value: '@acme.io' },
            ],
          },
          {
            operator: 'OR',
            value: [
              { field: 'custom_attributes.plan', operator: 'IN', value: ['Pro', 'Free'] },
              { field: 'owner_id', operator: '>=', value: 3 },
            ],
          },
        ],
      };
      await expect(client.searchContacts({ field: 'email', operator: '=', value: 'a@b.io' })).resolves.toBeDefined();
      await expect(client.searchContacts(nested, 'cursor-from-last-page', 50)).resolves.toBeDefined();
      await expect(client.searchContacts({ field: 'phone', operator: '=', value: null })).resolves.toBeDefined();
      await expect(client.searchContacts(updatedSinceQuery(1_700_000_000))).resolves.toBeDefined();
      const got: IcContact[] = [];
      for await (const batch of client.searchUpdatedSince(1_700_000_000)) got.push(...batch);
      expect(got).toEqual([]);
    });

    it('gets and updates a contact with every updatable field', async () => {
      const contact = await client.getContact('63a07ddf05a32042dffac965');
      expect(contact).toMatchObject({ type: 'contact', role: 'user' });
      const updated = await client.updateContact('63a07ddf05a32042dffac965', {
        role: 'lead',
        external_id: 'sf-003000000000001',
        email: 'joe@example.com',
        phone: null,
        name: 'Joe',
        signed_up_at: 1_700_000_000,
        last_seen_at: null,
        owner_id: 7,
        unsubscribed_from_emails: false,
        custom_attributes: { plan: 'Pro', score: 4.5, employees: 12, trial_end: 1_700_000_000, opted_out: true, city: null },
      });
      expect(updated.type).toBe('contact');
    });

    it('lists contact data attributes', async () => {
      const attrs = await client.listDataAttributes();
      expect(attrs.length).toBeGreaterThan(0);
      expect(attrs.every((a) => typeof a.name === 'string' && typeof a.data_type === 'string')).toBe(true);
    });

    it('Prism did refuse nothing we sent, yet does refuse a malformed search (422 -> ValidationError)', async () => {
      expect(requestViolations(mock.log(), logFrom)).toEqual([]);
      const bad = { field: 'updated_at', operator: 'AFTER', value: 1 } as unknown as IcSearchQuery;
      const err = await client.searchContacts(bad).catch((e: unknown) => e);
      expect(err).toMatchObject({ kind: 'invalid' });
      expect(err).toMatchObject({ status: 422 });
      expect(requestViolations(mock.log(), logFrom).length).toBeGreaterThan(0);
    });
  });
}

describe('sandbox answers conform to the official description (Prism proxy in front of the sandbox)', () => {
  it('lists, searches, gets, updates and lists attributes with response shapes the description accepts', async () => {
    const sb = await startIntercomSandbox({ token: TOKEN });
    const proxy = await startPrism('proxy', sb.url);
    const client = createIntercomClient({ baseUrl: proxy.url, token: TOKEN, transientRetries: 0 });
    try {
      const [a] = sb.createContacts([
        { email: 'a@proxy.io', role: 'lead', name: 'A', custom_attributes: { plan: 'Pro', score: 2.5 }, signed_up_at: 1_700_000_000 },
        { email: 'b@proxy.io', external_id: 'ext-b', owner_id: 4, avatar: 'https://example.org/b.png' },
      ]);
      const first = await client.listContactsPage(undefined, 1);
      expect(first.next).toBeDefined();
      await client.listContactsPage(first.next, 1);
      await client.searchContacts({ operator: 'AND', value: [{ field: 'role', operator: '=', value: 'lead' }] }, undefined, 1);
      await client.getContact(a.id);
      await client.updateContact(a.id, { phone: '+15550100', custom_attributes: { employees: 3 } });
      expect((await client.listDataAttributes()).length).toBeGreaterThan(0);
      await new Promise((r) => setTimeout(r, 300)); // let Prism flush its log
      // Known and accepted: contact list URLs such as tags.url are relative ("/contacts/<id>/tags")
      // in the real service and in the description's own examples, yet typed `format: uri`.
      const violations = proxy
        .log()
        .split('\n')
        .filter((l) => /Violation/.test(l))
        .filter((l) => !/\b(tags|notes|companies)\.url must match format "uri"/.test(l));
      expect(violations).toEqual([]);
      expect(proxy.log()).toMatch(/Violation: response\.body\.(data\.0\.)?tags\.url/);
    } finally {
      await client.close();
      await proxy.stop();
      await sb.close();
    }
  }, 60_000);
});
