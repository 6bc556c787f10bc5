// `peoplesync demo`: the whole system in one process (options in cli/program.ts). Starts its own
// nats-server with a temporary store on free ports, unless --nats URL names one (used as the
// nats.conf worker user); starts both sandboxes with a generated data set, an SMTP sink and every
// actor for a workspace of its own (a fresh id each run, or --ws); makes a console operator with a
// new password and prints it with the console's address; saves the default settings as
// `settings save` does, runs a bulk sync with its progress bar, prints the summary and the email.
// The workers log to a file it names, not to the terminal. Ctrl-C stops everything cleanly.
import { randomBytes } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ACTORS } from '../../actors/index.ts';
import { hashPassword, newPassword } from '../../actors/gateway/index.ts';
import { defaultSettings } from '../../actors/mapping/index.ts';
import { BulkStart, BulkStop, ControlError, type Run } from '../../protocol/index.ts';
import { type Config, type Logger, createLogger, parseConfig } from '../../runtime/index.ts';
import { EXIT, UsageError, intOption, type Common } from '../args.ts';
import type { ControlClient } from '../control-client.ts';
import { DEV_USERS, freePort, natsAnswers, natsServerInstalled, startLocalNats } from '../local-nats.ts';
import { type Worker, startWorker } from '../worker.ts';
import { watchRun } from './bulk.ts';
import { exitCodeOf, summary } from './bulk-view.ts';
import { type DataOptions, dataChoice, describeDump, dumpOnSignal, sandboxWorkspace, startLocalServices } from './sandbox.ts';
import { saveWhenReady } from './settings.ts';

type DemoOptions = Common &
  DataOptions & { nats?: string; port?: string; logFile?: string; logLevel?: string; dryRun?: boolean; keep?: boolean };

const WS_ID = /^[A-Za-z0-9_-]{1,64}$/;
const say = (line: string) => process.stdout.write(line + '\n');

class Interrupted extends Error {
  override name = 'Interrupted';
}

/** First Ctrl-C: stop cleanly; a second one: leave at once. */
function interruptions(): { signal: Promise<void>; readonly hit: boolean; dispose(): void } {
  let hit = false;
  let resolve: () => void = () => undefined;
  const signal = new Promise<void>((r) => {
    resolve = r;
  });
  const onSignal = () => {
    if (hit) process.exit(130);
    hit = true;
    process.stderr.write('\nstopping (Ctrl-C again to leave at once)\n');
    resolve();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  return {
    signal,
    get hit() {
      return hit;
    },
    dispose: () => {
      process.removeListener('SIGINT', onSignal);
      process.removeListener('SIGTERM', onSignal);
    },
  };
}

/** --nats URL as the nats.conf worker user, or a nats-server of its own on free ports. */
async function natsFor(url: string | undefined, cleanup: Array<() => Promise<void>>): Promise<Config['nats']> {
  if (url) {
    const nats = { servers: [url], ...DEV_USERS.worker, replicas: 1 as const };
    if (!(await natsAnswers(url, nats.user, nats.pass)))
      throw new ControlError('nats_unreachable', `no NATS server answers at ${url} as the nats.conf worker user`, { status: 503 });
    say(`NATS        ${url}`);
    return nats;
  }
  if (!natsServerInstalled())
    throw new ControlError(
      'nats_server_missing',
      'nats-server is not installed: install it (see the README, "Prerequisites") or give --nats URL of a running one',
      { status: 503 },
    );
  const local = await startLocalNats({});
  cleanup.push(local.stop);
  say(`NATS        ${local.url} (nats-server started with a temporary store)`);
  return { servers: [local.url], ...DEV_USERS.worker, replicas: 1 };
}

async function whenCoordinatorReady(w: Worker, WS: string, until: Promise<void>): Promise<void> {
  let stop = false;
  void until.then(() => {
    stop = true;
  });
  for (let i = 0; i < 300 && !stop; i++) {
    if (w.host.isLeading('coordinator', WS)) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  if (stop) throw new Interrupted('interrupted');
  throw new ControlError('no_leader', 'the coordinator did not start within 30 s', { status: 503 });
}

/** The default settings, saved as `peoplesync settings save` saves them: checked against the
 * sandboxes' live describe (a first save's look-ups are granted before any limit exists). */
async function saveSettings(w: Worker, WS: string): Promise<void> {
  const settings = defaultSettings({ installerEmail: 'installer@example.com' });
  const r = await saveWhenReady(w.host.messenger, WS, settings, 'demo', { confirmStopBulk: true });
  say(`Settings    revision ${r.revision} saved (default mappings, API limit ${settings.sfApiLimit.toLocaleString('en-US')})`);
}

/** The console's one operator, with a password made for this run: no default password exists. */
async function demoOperator(): Promise<{ name: string; password: string; console: Record<string, unknown> }> {
  const password = newPassword();
  const name = 'admin';
  return {
    name,
    password,
    console: {
      operators: [{ name, role: 'admin', passwordHash: await hashPassword(password) }],
      sessionSecret: randomBytes(32).toString('base64url'),
    },
  };
}

function printMail(mail: { to: string[]; subject: string; text: string }): void {
  say('');
  say(`--- email to ${mail.to.join(', ')} ---`);
  say(`Subject: ${mail.subject}`);
  say('');
  say(mail.text.trimEnd());
  say('---');
}

export async function runDemo(values: DemoOptions): Promise<number> {
  const choice = await dataChoice(values);
  const WS = values.ws ?? `demo-${randomBytes(3).toString('hex')}`;
  if (!WS_ID.test(WS)) throw new UsageError(`--ws must be letters, digits, - or _ (at most 64), got "${WS}"`);
  const httpPort = intOption('port', values.port ?? '0', 0, 65_535) || (await freePort());
  const logFile = values.logFile ?? join(tmpdir(), `peoplesync-demo-${WS}.log`);
  const cleanup: Array<() => Promise<void>> = [];
  const ctrlC = interruptions();
  const check = () => {
    if (ctrlC.hit) throw new Interrupted('interrupted');
  };
  try {
    const nats = await natsFor(values.nats, cleanup);
    check();
    say(
      choice.data.length
        ? `Loading ${choice.data.join(', ')} into both sandboxes...`
        : `Generating ${choice.people.toLocaleString('en-US')} people (seed ${choice.seed}) into both sandboxes...`,
    );
    const services = await startLocalServices(choice);
    cleanup.push(services.close);
    // Registered after close, so it runs before it: both sides are written back on the way out.
    cleanup.push(async () => {
      const d = await services.dump();
      if (d) say(describeDump(d));
    });
    const stopDumps = dumpOnSignal(services, say);
    cleanup.push(async () => stopDumps());
    const { sandboxes, smtp } = services;
    const counts = sandboxes.salesforce.counts();
    say(
      `Salesforce  ${sandboxes.salesforce.url} (${counts.Lead.toLocaleString('en-US')} Leads, ${counts.Contact.toLocaleString('en-US')} Contacts)`,
    );
    say(`Intercom    ${sandboxes.intercom.url} (${sandboxes.intercom.counts().total.toLocaleString('en-US')} contacts)`);
    say(`SMTP sink   smtp://${smtp.host}:${smtp.port}`);
    check();
    const dataDir = await mkdtemp(join(tmpdir(), 'ps-demo-'));
    cleanup.push(() => rm(dataDir, { recursive: true, force: true }));
    const operator = await demoOperator();
    const cfg = parseConfig({
      nats,
      logLevel: values.logLevel ?? 'info',
      dataDir,
      smtp: { host: smtp.host, port: smtp.port },
      http: { host: '127.0.0.1', port: httpPort },
      publicUrl: `http://127.0.0.1:${httpPort}`,
      console: operator.console,
      workspaces: [sandboxWorkspace(WS, sandboxes)],
    });
    const log: Logger = createLogger({ level: cfg.logLevel, destination: fileStream(logFile) });
    say(`Logs        ${logFile}`);
    say(`Workspace   ${WS}`);
    const worker = await startWorker(cfg, { log });
    cleanup.push(() => worker.stop(5_000));
    say(`Worker      every actor (${Object.keys(ACTORS).join(', ')})`);
    say(`Console     ${cfg.publicUrl}/  sign in as ${operator.name}, password ${operator.password} (made for this run)`);
    const m = worker.host.messenger;
    await whenCoordinatorReady(worker, WS, ctrlC.signal);
    await saveSettings(worker, WS);
    check();

    const { run } = await m.request(BulkStart, WS, { startedBy: 'demo', dryRun: values.dryRun === true });
    say(`\nBulk sync ${run.runId}${run.dryRun ? ' (dry run)' : ''}:`);
    const request: ControlClient['request'] = (def, body, timeoutMs) => m.request(def, WS, body, timeoutMs);
    const end: Run | null = await watchRun(worker.nc, cfg.prefix, WS, run.runId, request, {
      json: false,
      tty: !!process.stdout.isTTY,
      until: ctrlC.signal,
    });
    if (ctrlC.hit) {
      const stopped = await m.request(BulkStop, WS, { reason: 'user', by: 'demo' }).catch(() => ({ run: end }));
      say(`\nBulk sync stopped.\n${stopped.run ? summary(stopped.run) : ''}`);
      return EXIT.failure;
    }
    say('');
    say(end ? summary(end) : 'The run ended without a status.');
    if (end?.status === 'completed') printMail(await smtp.waitForMail(0, 20_000));
    if (values.keep) {
      say(
        `\nStill running: console ${cfg.publicUrl}/ (${operator.name} / ${operator.password}), NATS ${nats.servers.join(', ')}. Ctrl-C stops everything.`,
      );
      await ctrlC.signal;
    }
    return exitCodeOf(end);
  } catch (err) {
    if (err instanceof Interrupted) return EXIT.failure;
    throw err;
  } finally {
    for (const c of cleanup.reverse()) await c().catch((e: unknown) => process.stderr.write(`cleanup: ${(e as Error).message}\n`));
    ctrlC.dispose();
  }
}

/** An append-only file for the workers' log, created when missing. */
function fileStream(file: string): NodeJS.WritableStream {
  return createWriteStream(file, { flags: 'a' });
}
