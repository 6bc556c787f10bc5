// The Intercom connector against the sandbox over real HTTP: paging, get, update, data
// attributes, and every typed error it can raise.
import { inspect } from 'node:util';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  createIntercomClient as createClient,
  type IntercomClient,
  type IntercomClientOptions,
  type TransportKind,
} from '../../connectors/intercom/index.ts';
import { ConnectorError } from '../../connectors/errors.ts';
import type { IcContact } from '../../connectors/types.ts';
import { startIntercomSandbox, type IntercomSandbox } from '../../sandbox/intercom/index.ts';

const TOKEN = 'tok_live_9f8e7d6c5b4a39281706';

// Every test runs over both transports: bare undici (the default) and the official SDK.
for (const transport of ['undici', 'sdk'] as const satisfies readonly TransportKind[])
  describe(`over ${transport}`, () => {
    const createIntercomClient = (o: IntercomClientOptions) => createClient({ transport, ...o });

    let sb: IntercomSandbox;
    let client: IntercomClient;

    beforeAll(async () => {
      sb = await startIntercomSandbox({ token: TOKEN });
      client = createIntercomClient({ baseUrl: sb.url, token: TOKEN, backoffMs: 10 });
    });
    afterAll(async () => {
      await client.close();
      await sb.close();
    });
    afterEach(() => sb.setFaults(undefined));

    async function listAll(c: IntercomClient, perPage?: number): Promise<{ ids: string[]; pages: number; total: number }> {
      const ids: string[] = [];
      let pages = 0;
      let cursor: string | undefined;
      let total = -1;
      do {
        const page = await c.listContactsPage(cursor, perPage);
        pages += 1;
        total = page.totalCount;
        ids.push(...page.contacts.map((x) => x.id));
        cursor = page.next;
      } while (cursor);
      return { ids, pages, total };
    }

    describe('list paging across page boundaries', () => {
      for (const [count, pages] of [
        [0, 1],
        [1, 1],
        [150, 1],
        [151, 2],
        [301, 3],
      ] as const) {
        it(`lists ${count} contacts in ${pages} page(s) of 150, each once, in creation order`, async () => {
          const own = await startIntercomSandbox({ token: TOKEN });
          const c = createIntercomClient({ baseUrl: own.url, token: TOKEN });
          try {
            const created = own.createContacts(Array.from({ length: count }, (_, i) => ({ email: `p${i}@example.com` })));
            const got = await listAll(c);
            expect(got.pages).toBe(pages);
            expect(got.total).toBe(count);
            expect(got.ids).toEqual(created.map((x) => x.id));
          } finally {
            await c.close();
            await own.close();
          }
        });
      }

      it('honours a smaller page size and refuses one above 150 before sending', async () => {
        const own = await startIntercomSandbox({ token: TOKEN });
        const c = createIntercomClient({ baseUrl: own.url, token: TOKEN });
        try {
          own.createContacts(Array.from({ length: 7 }, (_, i) => ({ email: `s${i}@example.com` })));
          const got = await listAll(c, 3);
          expect(got.pages).toBe(3);
          expect(new Set(got.ids).size).toBe(7);
          await expect(c.listContactsPage(undefined, 151)).rejects.toThrow(/perPage must be an integer from 1 to 150/);
          expect(own.stats().calls['GET /contacts']).toBe(3);
        } finally {
          await c.close();
          await own.close();
        }
      });
    });

    describe('get and update', () => {
      let alice: IcContact;
      let bob: IcContact;
      beforeAll(() => {
        [alice, bob] = sb.createContacts([
          {
            email: 'alice@example.com',
            name: 'Alice',
            role: 'lead',
            custom_attributes: { plan: 'Free', city: 'Oslo' },
            updated_at: 1_700_000_000,
          },
          { email: 'bob@example.com', name: 'Bob', role: 'user' },
        ]);
      });

      it('gets a contact with its custom attributes', async () => {
        const got = await client.getContact(alice.id);
        expect(got).toMatchObject({ id: alice.id, email: 'alice@example.com', role: 'lead', name: 'Alice' });
        expect(got.custom_attributes).toEqual({ plan: 'Free', city: 'Oslo' });
      });

      it('sends only the given fields, merges custom attributes and bumps updated_at', async () => {
        const updated = await client.updateContact(alice.id, { phone: '+4712345678', custom_attributes: { plan: 'Pro', score: 4.5 } });
        expect(updated.phone).toBe('+4712345678');
        expect(updated.name).toBe('Alice');
        expect(updated.custom_attributes).toEqual({ plan: 'Pro', city: 'Oslo', score: 4.5 });
        expect(updated.updated_at).toBeGreaterThan(1_700_000_000);
        expect(sb.getContact(alice.id)?.custom_attributes).toEqual({ plan: 'Pro', city: 'Oslo', score: 4.5 });
      });

      it('replaces custom attributes when the sandbox is configured so', async () => {
        sb.configure({ customAttributesMode: 'replace' });
        try {
          const updated = await client.updateContact(bob.id, { custom_attributes: { plan: 'Starter' } });
          expect(updated.custom_attributes).toEqual({ plan: 'Starter' });
          const again = await client.updateContact(bob.id, { custom_attributes: { city: 'Rome' } });
          expect(again.custom_attributes).toEqual({ city: 'Rome' });
        } finally {
          sb.configure({ customAttributesMode: 'merge' });
        }
      });

      it('raises NotFoundError for an unknown id', async () => {
        const err = await client.getContact('0123456789abcdef01234567').catch((e: unknown) => e);
        expect(err).toMatchObject({ kind: 'not_found' });
        expect(err).toMatchObject({ status: 404, code: 'not_found', retryable: false, system: 'intercom' });
        await expect(client.updateContact('0123456789abcdef01234567', { name: 'x' })).rejects.toMatchObject({ kind: 'not_found' });
      });

      it('raises ConflictError when the email belongs to another contact', async () => {
        const err = await client.updateContact(bob.id, { email: 'ALICE@example.com' }).catch((e: unknown) => e);
        expect(err).toMatchObject({ kind: 'conflict' });
        expect((err as ConnectorError).message).toContain(`already exists with id=${alice.id}`);
        expect(err instanceof ConnectorError && err.retryable).toBe(false);
      });

      it('raises ValidationError for an unknown custom attribute and for a type mismatch', async () => {
        const unknown = await client.updateContact(bob.id, { custom_attributes: { shoe_size: 44 } }).catch((e: unknown) => e);
        expect(unknown).toMatchObject({ kind: 'invalid' });
        expect(unknown).toMatchObject({ status: 400, code: 'parameter_invalid', fields: ['custom_attributes.shoe_size'] });
        const mismatch = await client.updateContact(bob.id, { custom_attributes: { employees: 'many' } }).catch((e: unknown) => e);
        expect(mismatch).toMatchObject({ name: 'ValidationError', code: 'type_mismatch', retryable: false });
      });

      it('refuses a patch with a field Intercom does not update, without sending it', async () => {
        const before = sb.stats().calls['PUT /contacts/{id}'] ?? 0;
        const bad = { created_at: 5 } as unknown as Parameters<IntercomClient['updateContact']>[1];
        await expect(client.updateContact(bob.id, bad)).rejects.toThrow(/patch field created_at cannot be updated/);
        await expect(client.updateContact('', { name: 'x' })).rejects.toThrow(/contact id must be a non-empty string/);
        expect(sb.stats().calls['PUT /contacts/{id}'] ?? 0).toBe(before);
      });
    });

    describe('data attributes', () => {
      it('lists standard and custom contact attributes of the shared model', async () => {
        const attrs = await client.listDataAttributes();
        const byName = new Map(attrs.map((a) => [a.full_name, a]));
        expect(byName.get('email')).toMatchObject({ data_type: 'string', custom: false });
        expect(byName.get('updated_at')).toMatchObject({ data_type: 'date', custom: false });
        expect(byName.get('custom_attributes.score')).toMatchObject({ name: 'score', data_type: 'float', custom: true });
        expect(byName.get('custom_attributes.trial_end')?.data_type).toBe('date');
        expect(byName.get('custom_attributes.opted_out')?.data_type).toBe('boolean');
        expect(attrs.filter((a) => a.custom)).toHaveLength(11);
      });
    });

    describe('typed transport errors', () => {
      it('raises AuthError for a refused token', async () => {
        const bad = createIntercomClient({ baseUrl: sb.url, token: 'wrong-token' });
        try {
          const err = await bad.listContactsPage().catch((e: unknown) => e);
          expect(err).toMatchObject({ kind: 'auth' });
          expect(err).toMatchObject({ status: 401, code: 'unauthorized', retryable: false });
        } finally {
          await bad.close();
        }
      });

      it('retries a 5xx within bounds and succeeds, or raises TransientError once retries are spent', async () => {
        sb.setFaults({ failNext: 2, errorStatus: 502 });
        const page = await client.listContactsPage();
        expect(page.contacts.length).toBeGreaterThan(0);
        sb.setFaults({ failNext: 3, errorStatus: 503 });
        const err = await client.listContactsPage().catch((e: unknown) => e);
        expect(err).toMatchObject({ kind: 'transient' });
        expect(err).toMatchObject({ status: 503, retryable: true });
      });

      it('raises TransientError for a dropped connection and for a timeout', async () => {
        const noRetry = createIntercomClient({ baseUrl: sb.url, token: TOKEN, transientRetries: 0, timeoutMs: 200 });
        try {
          sb.setFaults({ dropNext: 1 });
          const dropped = await noRetry.listContactsPage().catch((e: unknown) => e);
          expect(dropped).toMatchObject({ kind: 'transient' });
          expect(dropped).toMatchObject({ code: 'network' });
          sb.setFaults({ latencyMs: 600 });
          const slow = await noRetry.listContactsPage().catch((e: unknown) => e);
          expect(slow).toMatchObject({ kind: 'transient' });
          expect(slow).toMatchObject({ code: 'timeout' });
        } finally {
          await noRetry.close();
        }
      });

      it('raises TransientError when nothing listens', async () => {
        const gone = await startIntercomSandbox({ token: TOKEN });
        const url = gone.url;
        await gone.close();
        const c = createIntercomClient({ baseUrl: url, token: TOKEN, transientRetries: 0 });
        try {
          await expect(c.getContact('0123456789abcdef01234567')).rejects.toMatchObject({ kind: 'transient' });
        } finally {
          await c.close();
        }
      });

      it('never puts the token in an error or a log line', async () => {
        const lines: string[] = [];
        const logger = {
          debug: (o: object, m: string) => lines.push(`${m} ${JSON.stringify(o)}`),
          warn: (o: object, m: string) => lines.push(`${m} ${JSON.stringify(o)}`),
        };
        const c = createIntercomClient({ baseUrl: sb.url, token: TOKEN, logger, backoffMs: 5, timeoutMs: 200 });
        const wrong = createIntercomClient({ baseUrl: sb.url, token: `${TOKEN}-revoked`, logger });
        const errors: unknown[] = [];
        try {
          const [x] = sb.contacts();
          sb.setFaults({ failNext: 5 });
          errors.push(await c.listContactsPage().catch((e: unknown) => e));
          sb.setFaults({ dropNext: 5 });
          errors.push(await c.getContact(x.id).catch((e: unknown) => e));
          sb.setFaults({ latencyMs: 400 });
          errors.push(await c.getContact(x.id).catch((e: unknown) => e));
          sb.setFaults(undefined);
          errors.push(await wrong.getContact(x.id).catch((e: unknown) => e));
          errors.push(await c.getContact('0123456789abcdef01234567').catch((e: unknown) => e));
          errors.push(await c.updateContact(x.id, { custom_attributes: { nope: 1 } }).catch((e: unknown) => e));
        } finally {
          await c.close();
          await wrong.close();
        }
        expect(errors.every((e) => e instanceof ConnectorError)).toBe(true);
        expect(lines.length).toBeGreaterThan(0);
        for (const e of errors) {
          const text = `${String(e)} ${inspect(e, { depth: 8, showHidden: true })} ${JSON.stringify(e)}`;
          expect(text).not.toContain(TOKEN);
        }
        for (const line of lines) expect(line).not.toContain(TOKEN);
      });
    });

    describe('connections', () => {
      it('reuses kept-alive connections across sequential calls', async () => {
        const own = await startIntercomSandbox({ token: TOKEN });
        const c = createIntercomClient({ baseUrl: own.url, token: TOKEN });
        try {
          const [x] = own.createContacts([{ email: 'keep@example.com' }]);
          for (let i = 0; i < 40; i += 1) await c.updateContact(x.id, { name: `n${i}` });
          expect(own.stats().calls['PUT /contacts/{id}']).toBe(40);
          expect(own.stats().connections).toBeLessThanOrEqual(2);
        } finally {
          await c.close();
          await own.close();
        }
      });
    });
  });
