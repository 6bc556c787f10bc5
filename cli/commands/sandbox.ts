// `peoplesync sandbox [--people N] [--seed S] [--sf-port P] [--ic-port P] [--smtp-port P]`: both
// service sandboxes seeded from one generated data set and an SMTP sink, until Ctrl-C.
import { type Sandboxes, type SmtpSink, startSandboxes, startSmtpSink } from '../../sandbox/index.ts';
import { EXIT, UsageError, parse } from '../args.ts';
import type { Command } from './types.ts';
import { waitForSignal } from './worker.ts';

export const SANDBOX_CLIENT = { clientId: 'ps-client', clientSecret: 'ps-secret' } as const;

export function intOption(name: string, value: string | boolean | undefined, min: number, max = Number.MAX_SAFE_INTEGER): number {
  const n = Number(value);
  if (typeof value !== 'string' || !/^\d+$/.test(value.trim()) || n < min || n > max) {
    throw new UsageError(`--${name} must be a whole number from ${min} to ${max}, got "${String(value)}"`);
  }
  return n;
}

export interface LocalServices {
  sandboxes: Sandboxes;
  smtp: SmtpSink;
  close(): Promise<void>;
}

export async function startLocalServices(o: {
  people: number;
  seed: number;
  sfPort?: number;
  icPort?: number;
  smtpPort?: number;
}): Promise<LocalServices> {
  const sandboxes = await startSandboxes({
    generator: { seed: o.seed, people: o.people },
    salesforce: { port: o.sfPort ?? 0, ...SANDBOX_CLIENT },
    // The demo shows the pipeline, not Intercom's rate limit: a 100k org would take minutes of waiting.
    intercom: { port: o.icPort ?? 0, rateLimit: false },
  });
  const smtp = await startSmtpSink({ port: o.smtpPort ?? 0 }).catch(async (err: unknown) => {
    await sandboxes.close();
    throw err;
  });
  return {
    sandboxes,
    smtp,
    close: async () => {
      await sandboxes.close();
      await smtp.close();
    },
  };
}

/** The workspace block of a worker config pointing at the sandboxes. */
export function sandboxWorkspace(id: string, s: Sandboxes) {
  return {
    id,
    salesforce: { auth: { kind: 'client_credentials', loginUrl: s.salesforce.url, ...SANDBOX_CLIENT } },
    intercom: { baseUrl: s.intercom.url, token: s.intercom.token, webhookSecret: 'sandbox-webhook-secret' },
  };
}

export const sandboxCommand: Command = {
  name: 'sandbox',
  summary: 'Run the Salesforce and Intercom sandboxes and an SMTP sink (--people N --seed S --sf-port --ic-port --smtp-port)',
  async run(argv) {
    const { values } = parse(argv, {
      people: { type: 'string', default: '10000' },
      seed: { type: 'string', default: '7' },
      'sf-port': { type: 'string', default: '0' },
      'ic-port': { type: 'string', default: '0' },
      'smtp-port': { type: 'string', default: '0' },
    });
    const services = await startLocalServices({
      people: intOption('people', values.people, 0, 10_000_000),
      seed: intOption('seed', values.seed, 0),
      sfPort: intOption('sf-port', values['sf-port'], 0, 65_535),
      icPort: intOption('ic-port', values['ic-port'], 0, 65_535),
      smtpPort: intOption('smtp-port', values['smtp-port'], 0, 65_535),
    });
    const { sandboxes, smtp } = services;
    const counts = sandboxes.salesforce.counts();
    const info = {
      salesforce: { url: sandboxes.salesforce.url, ...SANDBOX_CLIENT, leads: counts.Lead, contacts: counts.Contact },
      intercom: { url: sandboxes.intercom.url, token: sandboxes.intercom.token, contacts: sandboxes.intercom.counts().total },
      smtp: { host: smtp.host, port: smtp.port },
      workspace: sandboxWorkspace('demo', sandboxes),
    };
    if (values.json) process.stdout.write(JSON.stringify(info, null, 2) + '\n');
    else {
      process.stdout.write(
        [
          `Salesforce sandbox  ${info.salesforce.url}  (client credentials ${SANDBOX_CLIENT.clientId} / ${SANDBOX_CLIENT.clientSecret}; ${counts.Lead} Leads, ${counts.Contact} Contacts)`,
          `Intercom sandbox    ${info.intercom.url}  (token ${info.intercom.token}; ${info.intercom.contacts} contacts)`,
          `SMTP sink           smtp://${smtp.host}:${smtp.port}`,
          '',
          'Workspace entry for a worker config file:',
          JSON.stringify(info.workspace, null, 2),
          '',
          'Ctrl-C stops them.',
        ].join('\n') + '\n',
      );
    }
    let seen = 0;
    const mailTimer = setInterval(() => {
      for (; seen < smtp.mails.length; seen++)
        process.stdout.write(`mail to ${smtp.mails[seen].to.join(', ')}: ${smtp.mails[seen].subject}\n`);
    }, 1_000);
    await waitForSignal({ info: (m: string) => process.stderr.write(m + '\n') });
    clearInterval(mailTimer);
    await services.close();
    return EXIT.ok;
  },
};
