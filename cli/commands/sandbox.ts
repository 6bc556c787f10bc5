// `peoplesync sandbox [--people N] [--seed S] [--schema FILE] [--data FILE.ndjson]... [--dump DIR]
// [--ic-rate-limit N] [--sf-port P] [--ic-port P] [--smtp-port P]`: both service sandboxes, with
// generated people or a copy of real data, and an SMTP sink, until Ctrl-C. With --dump, both sides
// are written back as NDJSON on exit and whenever the process gets SIGUSR2.
import {
  type DumpResult,
  dumpSandboxes,
  HIGH_RATE_LIMIT,
  readSchemaFile,
  type Sandboxes,
  type SchemaFile,
  type SmtpSink,
  startSandboxes,
  startSmtpSink,
} from '../../sandbox/index.ts';
import { EXIT, UsageError, intOption, type Common } from '../args.ts';
import { waitForSignal } from './worker.ts';

export const SANDBOX_CLIENT = { clientId: 'ps-client', clientSecret: 'ps-secret' } as const;

/** The data and port options the sandbox and demo commands share (cli/program.ts). */
export interface DataOptions {
  people?: string;
  seed?: string;
  schema?: string;
  data?: string[];
  dump?: string;
  icRateLimit?: string;
  sfPort?: string;
  icPort?: string;
  smtpPort?: string;
}

export interface DataChoice {
  people: number;
  seed: number;
  schema?: SchemaFile;
  data: string[];
  dump?: string;
  icRateLimit: number;
  sfPort: number;
  icPort: number;
  smtpPort: number;
}

/** Reads the shared options: generated people (--people, default 10,000) or --data files. */
export async function dataChoice(values: DataOptions): Promise<DataChoice> {
  const data = values.data ?? [];
  if (data.length && values.people !== undefined)
    throw new UsageError('give --people (generated people) or --data (people files), not both');
  return {
    people: data.length ? 0 : intOption('people', values.people ?? '10000', 0, 10_000_000),
    seed: intOption('seed', values.seed ?? '7', 0),
    schema: values.schema ? await readSchemaFile(values.schema) : undefined,
    data,
    dump: values.dump,
    icRateLimit: intOption('ic-rate-limit', values.icRateLimit ?? String(HIGH_RATE_LIMIT.limit), 1),
    sfPort: intOption('sf-port', values.sfPort ?? '0', 0, 65_535),
    icPort: intOption('ic-port', values.icPort ?? '0', 0, 65_535),
    smtpPort: intOption('smtp-port', values.smtpPort ?? '0', 0, 65_535),
  };
}

export interface LocalServices {
  sandboxes: Sandboxes;
  smtp: SmtpSink;
  /** Writes both sides to the --dump directory (nothing without one). */
  dump(): Promise<DumpResult | null>;
  close(): Promise<void>;
}

export async function startLocalServices(o: DataChoice): Promise<LocalServices> {
  const sandboxes = await startSandboxes({
    generator: { seed: o.seed, people: o.people },
    schema: o.schema,
    data: o.data,
    salesforce: { port: o.sfPort, ...SANDBOX_CLIENT },
    // Intercom's limit stays on, its headers on every answer; high, so that a large demo does not
    // spend minutes waiting for windows.
    intercom: { port: o.icPort, rateLimit: { limit: o.icRateLimit, windowMs: HIGH_RATE_LIMIT.windowMs } },
  });
  const smtp = await startSmtpSink({ port: o.smtpPort }).catch(async (err: unknown) => {
    await sandboxes.close();
    throw err;
  });
  const dump = async () => (o.dump ? dumpSandboxes(o.dump, sandboxes) : null);
  return {
    sandboxes,
    smtp,
    dump,
    close: async () => {
      await sandboxes.close();
      await smtp.close();
    },
  };
}

export function describeDump(d: DumpResult): string {
  return `dumped ${d.salesforce.records} Salesforce records to ${d.salesforce.path} and ${d.intercom.contacts} Intercom contacts to ${d.intercom.path}`;
}

/** SIGUSR2 dumps both sides now; returns the function that stops listening. */
export function dumpOnSignal(services: LocalServices, say: (line: string) => void): () => void {
  const onSignal = () => {
    services.dump().then(
      (d) => d && say(describeDump(d)),
      (err: unknown) => say(`dump failed: ${(err as Error).message}`),
    );
  };
  process.on('SIGUSR2', onSignal);
  return () => process.removeListener('SIGUSR2', onSignal);
}

/** The workspace block of a worker config pointing at the sandboxes. */
export function sandboxWorkspace(id: string, s: Sandboxes) {
  return {
    id,
    salesforce: { auth: { kind: 'client_credentials', loginUrl: s.salesforce.url, ...SANDBOX_CLIENT } },
    intercom: { baseUrl: s.intercom.url, token: s.intercom.token, webhookSecret: 'sandbox-webhook-secret' },
  };
}

export async function runSandbox(values: Common & DataOptions): Promise<number> {
  const services = await startLocalServices(await dataChoice(values));
  const { sandboxes, smtp } = services;
  const say = (line: string) => process.stdout.write(line + '\n');
  const counts = sandboxes.salesforce.counts();
  const info = {
    salesforce: { url: sandboxes.salesforce.url, ...SANDBOX_CLIENT, leads: counts.Lead, contacts: counts.Contact },
    intercom: { url: sandboxes.intercom.url, token: sandboxes.intercom.token, contacts: sandboxes.intercom.counts().total },
    smtp: { host: smtp.host, port: smtp.port },
    dump: values.dump ?? null,
    workspace: sandboxWorkspace('demo', sandboxes),
  };
  if (values.json) say(JSON.stringify(info, null, 2));
  else {
    say(
      [
        `Salesforce sandbox  ${info.salesforce.url}  (client credentials ${SANDBOX_CLIENT.clientId} / ${SANDBOX_CLIENT.clientSecret}; ${counts.Lead} Leads, ${counts.Contact} Contacts)`,
        `Intercom sandbox    ${info.intercom.url}  (token ${info.intercom.token}; ${info.intercom.contacts} contacts)`,
        `SMTP sink           smtp://${smtp.host}:${smtp.port}`,
        ...(values.dump ? [`Dump                ${values.dump} on exit, and now on SIGUSR2 (kill -USR2 ${process.pid})`] : []),
        '',
        'Workspace entry for a worker config file:',
        JSON.stringify(info.workspace, null, 2),
        '',
        'Ctrl-C stops them.',
      ].join('\n'),
    );
  }
  const stopDumps = dumpOnSignal(services, say);
  let seen = 0;
  const mailTimer = setInterval(() => {
    for (; seen < smtp.mails.length; seen++) say(`mail to ${smtp.mails[seen].to.join(', ')}: ${smtp.mails[seen].subject}`);
  }, 1_000);
  await waitForSignal({ info: (m: string) => process.stderr.write(m + '\n') });
  clearInterval(mailTimer);
  stopDumps();
  const dumped = await services.dump();
  if (dumped) say(describeDump(dumped));
  await services.close();
  return EXIT.ok;
}
