// The connector's requests against a Prism mock of the official Intercom 2.14 description:
// Prism answers 422 for any body, query or header that breaks the schema, so every call here
// passing proves our request shapes match the real API's contract (Prism has no state, so only
// shapes are checked, not behaviour).
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, realpathSync } from 'node:fs';
import { createServer } from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createIntercomClient, updatedSinceQuery, type IntercomClient, type TransportKind } from '../../connectors/intercom/index.ts';
import { ValidationError } from '../../connectors/errors.ts';
import type { IcContact, IcSearchQuery } from '../../connectors/types.ts';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
// CI checks the repository out beside shared/: X/main-clone and X/shared.
const SPEC = path.resolve(repoRoot, '..', 'shared', 'reference', 'intercom', 'api.intercom.io-2.14.prism.yaml');
const PRISM = path.join(repoRoot, 'node_modules', '.bin', 'prism');
const TOKEN = 'prism-token';

let prism: ChildProcess | undefined;
let baseUrl: string;
let prismLog = '';

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

async function startPrism(): Promise<{ child: ChildProcess; url: string; startedMs: number }> {
  if (!existsSync(SPEC)) throw new Error(`the Intercom OpenAPI description is missing at ${SPEC} (shared/ must sit beside the repository)`);
  const port = await freePort();
  const started = Date.now();
  // Run Prism's own script under this node, so killing the child stops Prism itself.
  const child = spawn(process.execPath, [realpathSync(PRISM), 'mock', '-h', '127.0.0.1', '-p', String(port), SPEC], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`Prism did not listen within 45 s:\n${prismLog.slice(-2000)}`)), 45_000);
    const onData = (chunk: Buffer) => {
      prismLog += chunk.toString();
      if (prismLog.includes('Prism is listening')) {
        clearTimeout(timer);
        resolve();
      }
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`Prism exited with ${code}:\n${prismLog.slice(-2000)}`));
    });
  });
  return { child, url: `http://127.0.0.1:${port}`, startedMs: Date.now() - started };
}

beforeAll(async () => {
  const p = await startPrism();
  prism = p.child;
  baseUrl = p.url;
  console.info(`Prism 5.14.2 on Node ${process.version} listened after ${p.startedMs} ms`);
}, 60_000);

afterAll(async () => {
  if (prism && prism.exitCode === null) {
    const exited = new Promise((r) => prism!.once('exit', r));
    prism.kill('SIGTERM');
    await exited;
  }
});

/** Prism logs each validation failure of a request; none may appear for ours. (It also logs
 * response violations: the description's own examples break its `format: uri`; not ours.) */
function requestViolations(since: number): string[] {
  return prismLog.slice(since).split('\n').filter((l) => /Violation: request|Request (body|query|header)/i.test(l));
}

// Both transports: bare undici (the default) and the official SDK.
for (const transport of ['undici', 'sdk'] as const satisfies readonly TransportKind[]) {
  describe(`requests over ${transport} conform to the official description (Prism mock)`, () => {
    let client: IntercomClient;
    let logFrom = 0;
    beforeAll(() => {
      logFrom = prismLog.length;
      client = createIntercomClient({ baseUrl, token: TOKEN, transientRetries: 0, transport });
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
          { operator: 'OR', value: [{ field: 'role', operator: '=', value: 'lead' }, { field: 'email', operator: '$', value: '@acme.io' }] },
          { operator: 'OR', value: [{ field: 'custom_attributes.plan', operator: 'IN', value: ['Pro', 'Free'] }, { field: 'owner_id', operator: '>=', value: 3 }] },
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
        role: 'lead', external_id: 'sf-003000000000001', email: 'joe@example.com', phone: null, name: 'Joe',
        signed_up_at: 1_700_000_000, last_seen_at: null, owner_id: 7, unsubscribed_from_emails: false,
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
      expect(requestViolations(logFrom)).toEqual([]);
      const bad = { field: 'updated_at', operator: 'AFTER', value: 1 } as unknown as IcSearchQuery;
      const err = await client.searchContacts(bad).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(ValidationError);
      expect(err).toMatchObject({ status: 422 });
      expect(requestViolations(logFrom).length).toBeGreaterThan(0);
    });
  });
}
