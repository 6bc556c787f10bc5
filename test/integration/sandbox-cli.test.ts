// `peoplesync sandbox` with a copy of real data: custom fields and data attributes from a schema
// file, people from NDJSON, both sides written back with --dump on SIGUSR2 and on exit, and the
// dump loading again as it was. Bad files are refused with the place of the problem.
import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitFor } from '../helpers/host.ts';
import { BIN } from '../../cli/bin-flags.ts';

let dir: string;
const schema = {
  salesforce: {
    Lead: [{ name: 'Region__c', type: 'picklist', values: ['EMEA', 'AMER'], restricted: false }],
    Contact: [{ name: 'Tier__c', type: 'string', length: 10, filterable: false }],
  },
  intercom: { attributes: [{ name: 'region', type: 'string', options: ['EMEA', 'AMER'] }] },
};
const people = [
  { attributes: { type: 'Lead' }, LastName: 'Ada', Company: 'Acme', Email: 'ada@acme.io', Region__c: 'EMEA' },
  { attributes: { type: 'Contact' }, Id: '003000000000042', LastName: 'Bo', Email: 'bo@acme.io', Tier__c: 'gold' },
  { type: 'contact', role: 'lead', email: 'ada@acme.io', custom_attributes: { region: 'EMEA' } },
  { type: 'contact', id: '65f0c0ffee00000000000042', role: 'user', email: 'bo@acme.io', custom_attributes: {} },
];

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'ps-sandbox-cli-'));
  await writeFile(join(dir, 'schema.json'), JSON.stringify(schema));
  await writeFile(join(dir, 'people.ndjson'), people.map((p) => JSON.stringify(p)).join('\n') + '\n');
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

interface Running {
  child: ChildProcessWithoutNullStreams;
  info: { salesforce: { url: string }; intercom: { url: string; token: string } };
  out: () => string;
  exit: Promise<number>;
}

async function start(args: string[]): Promise<Running> {
  const child = spawn(process.execPath, [BIN, 'sandbox', '--json', ...args]);
  let out = '';
  let err = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr.on('data', (d: Buffer) => (err += d.toString()));
  const exit = new Promise<number>((resolve) => child.on('exit', (code) => resolve(code ?? -1)));
  const json = await waitFor(
    () => {
      const end = out.indexOf('\n}\n');
      return end > 0 ? out.slice(0, end + 2) : null;
    },
    { what: `the sandbox's description (stderr: ${err})`, timeoutMs: 20_000 },
  );
  return { child, info: JSON.parse(json) as Running['info'], out: () => out, exit };
}

async function run(args: string[]): Promise<{ code: number; err: string }> {
  const child = spawn(process.execPath, [BIN, 'sandbox', ...args]);
  let err = '';
  child.stderr.on('data', (d: Buffer) => (err += d.toString()));
  const code = await new Promise<number>((resolve) => child.on('exit', (c) => resolve(c ?? -1)));
  return { code, err };
}

async function sf(r: Running, path: string, init: RequestInit = {}): Promise<{ status: number; body: unknown }> {
  const { access_token } = (await (await fetch(`${r.info.salesforce.url}/__admin/sessions`, { method: 'POST' })).json()) as {
    access_token: string;
  };
  const res = await fetch(`${r.info.salesforce.url}/services/data/v62.0${path}`, {
    ...init,
    headers: { authorization: `Bearer ${access_token}`, 'content-type': 'application/json' },
  });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : undefined };
}

const lines = async (path: string) =>
  (await readFile(path, 'utf8'))
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as Record<string, unknown>);

describe('peoplesync sandbox with a schema file and people files', () => {
  it('serves the custom fields and attributes, holds the people, and dumps both sides on SIGUSR2 and on exit', async () => {
    const dump = join(dir, 'dump');
    const r = await start(['--schema', join(dir, 'schema.json'), '--data', join(dir, 'people.ndjson'), '--dump', dump]);
    const describe = (await sf(r, '/sobjects/Contact/describe')).body as { fields: Array<Record<string, unknown>> };
    expect(describe.fields.find((f) => f.name === 'Tier__c')).toMatchObject({
      type: 'string',
      length: 10,
      filterable: false,
      custom: true,
    });
    const leads = (await sf(r, '/query?q=' + encodeURIComponent('SELECT Id, Region__c, Email FROM Lead'))).body as {
      records: Array<{ Id: string; Region__c: string }>;
    };
    expect(leads.records).toHaveLength(1);
    expect(leads.records[0].Region__c).toBe('EMEA');
    // Unrestricted, as the schema file says: a value outside the list is kept.
    const patched = await sf(r, `/sobjects/Lead/${leads.records[0].Id}`, { method: 'PATCH', body: JSON.stringify({ Region__c: 'APAC' }) });
    expect(patched.status).toBe(204);
    const attrsRes = await fetch(`${r.info.intercom.url}/data_attributes?model=contact`, {
      headers: { authorization: `Bearer ${r.info.intercom.token}` },
    });
    // API-FACTS "Intercom REST API": the limit is on and its headers come with every answer,
    // however high the command sets it.
    expect(attrsRes.headers.get('x-ratelimit-limit')).toBe('100000');
    expect(attrsRes.headers.get('x-ratelimit-remaining')).not.toBeNull();
    const attrs = (await attrsRes.json()) as { data: Array<{ full_name: string; options?: string[] }> };
    expect(attrs.data.find((a) => a.full_name === 'custom_attributes.region')).toMatchObject({ options: ['EMEA', 'AMER'] });

    r.child.kill('SIGUSR2');
    await waitFor(() => r.out().includes('dumped 2 Salesforce records'), { what: 'the dump on SIGUSR2' });
    r.child.kill('SIGINT');
    expect(await r.exit).toBe(0);
    const sfRows = await lines(join(dump, 'salesforce.ndjson'));
    expect(sfRows.map((x) => [(x.attributes as { type: string }).type, x.Region__c ?? x.Tier__c])).toEqual([
      ['Lead', 'APAC'],
      ['Contact', 'gold'],
    ]);
    expect(sfRows[1].Id).toMatch(/^003000000000042[A-Z0-5]{3}$/);
    const icRows = await lines(join(dump, 'intercom.ndjson'));
    expect(icRows.map((x) => [x.email, x.role])).toEqual([
      ['ada@acme.io', 'lead'],
      ['bo@acme.io', 'user'],
    ]);

    // The dump loads again as it was.
    const again = await start([
      '--schema',
      join(dir, 'schema.json'),
      '--data',
      join(dump, 'salesforce.ndjson'),
      '--data',
      join(dump, 'intercom.ndjson'),
    ]);
    try {
      const lead = (await sf(again, `/sobjects/Lead/${leads.records[0].Id}`)).body as Record<string, unknown>;
      expect(lead).toMatchObject({ Region__c: 'APAC', Email: 'ada@acme.io' });
      const contact = (await (
        await fetch(`${again.info.intercom.url}/contacts/65f0c0ffee00000000000042`, {
          headers: { authorization: `Bearer ${again.info.intercom.token}` },
        })
      ).json()) as Record<string, unknown>;
      expect(contact).toMatchObject({ email: 'bo@acme.io', role: 'user' });
    } finally {
      again.child.kill('SIGINT');
      await again.exit;
    }
  });

  it('refuses a bad schema file or people file, naming the place, and --people with --data', async () => {
    await writeFile(join(dir, 'bad-schema.json'), JSON.stringify({ salesforce: { Lead: [{ name: 'Region', type: 'string' }] } }));
    const badSchema = await run(['--schema', join(dir, 'bad-schema.json')]);
    expect(badSchema.code).not.toBe(0);
    expect(badSchema.err).toContain('salesforce.Lead[0].name: must be a custom field name ending in __c, got "Region"');
    await writeFile(
      join(dir, 'bad-people.ndjson'),
      JSON.stringify({ attributes: { type: 'Lead' }, LastName: 'X', Company: 'Y', Nope__c: 1 }) + '\n',
    );
    const badPeople = await run(['--data', join(dir, 'bad-people.ndjson')]);
    expect(badPeople.code).not.toBe(0);
    expect(badPeople.err).toMatch(/bad-people\.ndjson: .*row 1.*No such column 'Nope__c' on sobject of type Lead/);
    const both = await run(['--people', '10', '--data', join(dir, 'people.ndjson')]);
    expect([both.code, both.err]).toEqual([2, 'peoplesync sandbox: give --people (generated people) or --data (people files), not both\n']);
  });
});
