// Intercom write throughput through the connector, against the sandbox running in its own
// process (so client and server each get a core):
//   A. rate limit off, pacing off: updates/s and client CPU per update over each transport
//      (undici, the official SDK) and over bare undici without the connector;
//   B. rate limit on (default 300 per 2 s window), pacing on: the share of the allowed rate the
//      connector achieves over whole windows, and the 429s it provokes after the first window.
// Run: npx tsx test/bench/intercom-write.ts [--seconds 5] [--windows 10] [--limit 300] [--window-ms 2000] [--concurrency 16]
import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { Agent, request } from 'undici';
import { createIntercomClient, type IntercomClient } from '../../connectors/intercom/index.ts';
import type { SandboxStats } from '../../sandbox/intercom/index.ts';

const TOKEN = 'bench-token';
const CONTACTS = 1000;

function arg(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  const v = i >= 0 ? Number(process.argv[i + 1]) : fallback;
  if (!Number.isFinite(v) || v <= 0) throw new Error(`--${name} must be a positive number, got ${process.argv[i + 1]}`);
  return v;
}

/** Child mode: serve a sandbox and print its URL. */
async function serve(): Promise<void> {
  const { startIntercomSandbox, HIGH_RATE_LIMIT } = await import('../../sandbox/intercom/index.ts');
  const sb = await startIntercomSandbox({ token: TOKEN, rateLimit: HIGH_RATE_LIMIT });
  sb.createContacts(Array.from({ length: CONTACTS }, (_, i) => ({ email: `bench${i}@example.com` })));
  console.log(sb.url);
  process.stdin.resume();
  process.stdin.on(
    'end',
    () =>
      void sb
        .close()
        .then(() => 0)
        .then(process.exit),
  );
}

async function startChild(): Promise<{ child: ChildProcess; url: string }> {
  const self = fileURLToPath(import.meta.url);
  const child = spawn(process.execPath, ['--import', 'tsx', self, '--serve'], { stdio: ['pipe', 'pipe', 'inherit'] });
  const url = await new Promise<string>((resolve, reject) => {
    createInterface({ input: child.stdout! }).once('line', resolve);
    child.once('exit', (code) => reject(new Error(`sandbox process exited with ${code}`)));
  });
  return { child, url };
}

async function admin<T>(url: string, method: string, path: string, body?: unknown): Promise<T> {
  const res = await fetch(`${url}/__admin${path}`, { method, body: body === undefined ? undefined : JSON.stringify(body) });
  if (!res.ok) throw new Error(`admin ${method} ${path} answered ${res.status}: ${await res.text()}`);
  return (await res.json()) as T;
}

type Update = (id: string, i: number) => Promise<void>;

/** Runs `concurrency` workers until `endMs`; counts updates answered before then. */
async function drive(ids: string[], concurrency: number, endMs: number, update: Update): Promise<{ done: number; failed: number }> {
  let next = 0;
  let done = 0;
  let failed = 0;
  const worker = async () => {
    while (Date.now() < endMs) {
      const i = next++;
      try {
        await update(ids[i % ids.length], i);
        if (Date.now() <= endMs) done += 1;
      } catch {
        failed += 1;
      }
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  return { done, failed };
}

function connectorUpdate(c: IntercomClient): Update {
  return async (id, i) => {
    await c.updateContact(id, { custom_attributes: { score: i, plan: i % 2 ? 'Pro' : 'Free' } });
  };
}

function rawUpdate(baseUrl: string, agent: Agent): Update {
  return async (id, i) => {
    const res = await request(`${baseUrl}/contacts/${id}`, {
      method: 'PUT',
      dispatcher: agent,
      headers: {
        authorization: `Bearer ${TOKEN}`,
        'intercom-version': '2.14',
        'content-type': 'application/json',
        accept: 'application/json',
      },
      body: JSON.stringify({ custom_attributes: { score: i, plan: i % 2 ? 'Pro' : 'Free' } }),
    });
    await res.body.json();
    if (res.statusCode !== 200) throw new Error(`PUT answered ${res.statusCode}`);
  };
}

/** Updates/s and client CPU per update (the sandbox's CPU is in the other process). */
async function measure(ids: string[], seconds: number, concurrency: number, update: Update): Promise<string> {
  const cpu = process.cpuUsage();
  const r = await drive(ids, concurrency, Date.now() + seconds * 1000, update);
  const used = process.cpuUsage(cpu);
  const micros = (used.user + used.system) / Math.max(1, r.done);
  return `${(r.done / seconds).toFixed(0).padStart(5)} updates/s, ${micros.toFixed(0).padStart(4)} µs client CPU per update (${r.failed} failed)`;
}

async function phaseA(url: string, ids: string[], seconds: number, concurrency: number): Promise<void> {
  const viaUndici = createIntercomClient({ baseUrl: url, token: TOKEN, pacing: false, connections: concurrency, transport: 'undici' });
  const viaSdk = createIntercomClient({ baseUrl: url, token: TOKEN, pacing: false, connections: concurrency, transport: 'sdk' });
  const agent = new Agent({ connections: concurrency, keepAliveTimeout: 30_000 });
  await drive(ids, concurrency, Date.now() + 1000, connectorUpdate(viaSdk)); // warm-up
  await drive(ids, concurrency, Date.now() + 1000, connectorUpdate(viaUndici));
  console.log(`A. no rate limit, pacing off, ${concurrency} in flight, ${seconds} s each:`);
  console.log(`   connector, undici transport (default): ${await measure(ids, seconds, concurrency, connectorUpdate(viaUndici))}`);
  console.log(`   connector, SDK transport:              ${await measure(ids, seconds, concurrency, connectorUpdate(viaSdk))}`);
  console.log(`   bare undici request(), no connector:   ${await measure(ids, seconds, concurrency, rawUpdate(url, agent))}`);
  await viaUndici.close();
  await viaSdk.close();
  await agent.close();
}

async function phaseB(url: string, ids: string[], limit: number, windowMs: number, windows: number, concurrency: number): Promise<void> {
  await admin(url, 'PUT', '/config', { rateLimit: { limit, windowMs } });
  await admin(url, 'DELETE', '/stats');
  const c = createIntercomClient({ baseUrl: url, token: TOKEN, pacing: true, connections: concurrency });
  // Start on a window boundary so the run covers whole windows.
  await new Promise((r) => setTimeout(r, windowMs - (Date.now() % windowMs)));
  const start = Date.now();
  const firstWindowEnd = start + windowMs;
  let after1st: SandboxStats | undefined;
  const snap = setTimeout(
    () =>
      void admin<SandboxStats>(url, 'GET', '/stats').then((s) => {
        after1st = s;
      }),
    firstWindowEnd - Date.now(),
  );
  const result = await drive(ids, concurrency, start + windows * windowMs, connectorUpdate(c));
  clearTimeout(snap);
  const end = await admin<SandboxStats>(url, 'GET', '/stats');
  await c.close();
  const allowed = windows * limit;
  const perSec = (n: number) => (n / ((windows * windowMs) / 1000)).toFixed(1);
  console.log(`B. rate limit ${limit} per ${windowMs / 1000} s window, pacing on, ${concurrency} in flight, ${windows} windows:`);
  console.log(
    `   updates done: ${result.done} of ${allowed} allowed = ${((100 * result.done) / allowed).toFixed(1)}% of the allowed rate (${perSec(result.done)}/s of ${perSec(allowed)}/s)`,
  );
  console.log(
    `   429s: ${end.rateLimited} in total, ${end.rateLimited - (after1st?.rateLimited ?? 0)} after the first window; ${result.failed} calls failed`,
  );
}

async function main(): Promise<void> {
  if (process.argv.includes('--serve')) return serve();
  const seconds = arg('seconds', 5);
  const windows = arg('windows', 10);
  const limit = arg('limit', 300);
  const windowMs = arg('window-ms', 2000);
  const concurrency = arg('concurrency', 16);
  const { child, url } = await startChild();
  try {
    const { contacts } = await admin<{ contacts: Array<{ id: string }> }>(url, 'GET', '/contacts');
    const ids = contacts.map((x) => x.id);
    console.log(`Intercom write benchmark: sandbox in a child process, ${ids.length} contacts, Node ${process.version}`);
    await phaseA(url, ids, seconds, concurrency);
    await phaseB(url, ids, limit, windowMs, windows, concurrency);
  } finally {
    child.stdin?.end();
  }
}

await main();
