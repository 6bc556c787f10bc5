// Worker configuration: a JSON file and/or environment variables, validated by one zod schema.
// A bad configuration is refused at start-up with every problem listed, never the first only.
import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { checkPrefix, checkWorkspaceId } from '../protocol/index.ts';

const SalesforceAuthSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('client_credentials'), loginUrl: z.url(), clientId: z.string().min(1), clientSecret: z.string().min(1) }),
  z.object({
    kind: z.literal('jwt'),
    loginUrl: z.url(),
    clientId: z.string().min(1),
    username: z.string().min(1),
    privateKey: z.string().min(1),
  }),
  z.object({ kind: z.literal('token'), instanceUrl: z.url(), accessToken: z.string().min(1) }),
]);
export type SalesforceAuthConfig = z.infer<typeof SalesforceAuthSchema>;

export const WorkspaceConfigSchema = z.object({
  id: z.string().refine((s) => {
    try {
      checkWorkspaceId(s);
      return true;
    } catch {
      return false;
    }
  }, 'must be letters, digits, - or _'),
  salesforce: z.object({
    auth: SalesforceAuthSchema,
    apiVersion: z.string().default('62.0'),
    /** Listen to Change Data Capture events of Leads and Contacts (Setup: Change Data Capture must
     * select both) for changes in near real time; the poll stays the safety net. */
    changeEvents: z.boolean().default(true),
  }),
  intercom: z.object({
    baseUrl: z.url().default('https://api.intercom.io'),
    token: z.string().min(1),
    /** Client secret that signs webhooks (X-Hub-Signature). */
    webhookSecret: z.string().optional(),
  }),
});
export type WorkspaceConfig = z.infer<typeof WorkspaceConfigSchema>;

export const ConfigSchema = z
  .object({
    nats: z
      .object({
        servers: z.array(z.string().min(1)).min(1).default(['nats://127.0.0.1:4222']),
        user: z.string().optional(),
        pass: z.string().optional(),
        credsFile: z.string().optional(),
        tls: z.object({ caFile: z.string().optional(), certFile: z.string().optional(), keyFile: z.string().optional() }).optional(),
        /** JetStream replicas for streams and buckets: 1 on a single node, 3 in a cluster. */
        replicas: z.union([z.literal(1), z.literal(3)]).default(1),
      })
      .default({ servers: ['nats://127.0.0.1:4222'], replicas: 1 }),
    prefix: z
      .string()
      .default('peoplesync')
      .refine((s) => {
        try {
          checkPrefix(s);
          return true;
        } catch {
          return false;
        }
      }, 'must be dot-separated letters, digits, - or _'),
    encoding: z.enum(['msgpack', 'json']).default('msgpack'),
    logLevel: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
    dataDir: z.string().default('.data'),
    // Long enough that a NATS server stalled by a saturated host does not depose every leader.
    leaseTtlMs: z.number().int().min(500).default(5_000),
    queue: z
      .object({
        ackWaitMs: z.number().int().min(500).default(30_000),
        maxDeliver: z.number().int().min(1).default(8),
        maxAckPending: z.number().int().min(1).default(256),
        concurrency: z.number().int().min(1).default(8),
      })
      .default({ ackWaitMs: 30_000, maxDeliver: 8, maxAckPending: 256, concurrency: 8 }),
    http: z
      .object({ host: z.string().default('127.0.0.1'), port: z.number().int().min(0).max(65535).default(8080) })
      .default({ host: '127.0.0.1', port: 8080 }),
    smtp: z
      .object({
        host: z.string().default('127.0.0.1'),
        port: z.number().int().default(25),
        secure: z.boolean().default(false),
        user: z.string().optional(),
        pass: z.string().optional(),
        from: z.string().default('peoplesync <peoplesync@localhost>'),
      })
      .default({ host: '127.0.0.1', port: 25, secure: false, from: 'peoplesync <peoplesync@localhost>' }),
    /** Base URL of the gateway, for links in emails. */
    publicUrl: z.string().default('http://127.0.0.1:8080'),
    workspaces: z.array(WorkspaceConfigSchema).default([]),
  })
  .superRefine((c, ctx) => {
    const seen = new Set<string>();
    c.workspaces.forEach((w, i) => {
      if (seen.has(w.id))
        ctx.addIssue({ code: 'custom', path: ['workspaces', i, 'id'], message: `workspace "${w.id}" is configured twice` });
      seen.add(w.id);
    });
    if (c.nats.user && !c.nats.pass) ctx.addIssue({ code: 'custom', path: ['nats', 'pass'], message: 'a user needs a password' });
  });
export type Config = z.infer<typeof ConfigSchema>;
export type ConfigInput = z.input<typeof ConfigSchema>;

export class ConfigError extends Error {
  override name = 'ConfigError';
  readonly problems: string[];
  constructor(problems: string[]) {
    super(`invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.problems = problems;
  }
}

export function parseConfig(input: unknown): Config {
  const res = ConfigSchema.safeParse(input);
  if (!res.success) {
    throw new ConfigError(res.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`));
  }
  return res.data;
}

/** `${NAME}` in a config file is replaced by the environment variable, so secrets stay out of it. */
export function expandEnv(text: string, env: NodeJS.ProcessEnv, problems: string[]): string {
  return text.replace(/\$\{([A-Z0-9_]+)\}/g, (_m, name: string) => {
    const v = env[name];
    if (v === undefined) problems.push(`environment variable ${name} is referenced by the config file but not set`);
    return v === undefined ? '' : JSON.stringify(v).slice(1, -1);
  });
}

/** Environment variables override the file: PEOPLESYNC_NATS_URL (comma list), PEOPLESYNC_NATS_USER,
 * PEOPLESYNC_NATS_PASS, PEOPLESYNC_NATS_CREDS, PEOPLESYNC_PREFIX, PEOPLESYNC_LOG_LEVEL,
 * PEOPLESYNC_DATA_DIR, PEOPLESYNC_ENCODING, PEOPLESYNC_HTTP_PORT. */
export function loadConfig(opts: { file?: string; env?: NodeJS.ProcessEnv; overrides?: Record<string, unknown> } = {}): Config {
  const env = opts.env ?? process.env;
  const problems: string[] = [];
  let base: Record<string, unknown> = {};
  const file = opts.file ?? env.PEOPLESYNC_CONFIG;
  if (file) {
    try {
      base = JSON.parse(expandEnv(readFileSync(file, 'utf8'), env, problems)) as Record<string, unknown>;
    } catch (err) {
      problems.push(`config file ${file}: ${(err as Error).message}`);
    }
  }
  const nats = { ...(base.nats as Record<string, unknown> | undefined) };
  if (env.PEOPLESYNC_NATS_URL)
    nats.servers = env.PEOPLESYNC_NATS_URL.split(',')
      .map((s) => s.trim())
      .filter(Boolean);
  if (env.PEOPLESYNC_NATS_USER) nats.user = env.PEOPLESYNC_NATS_USER;
  if (env.PEOPLESYNC_NATS_PASS) nats.pass = env.PEOPLESYNC_NATS_PASS;
  if (env.PEOPLESYNC_NATS_CREDS) nats.credsFile = env.PEOPLESYNC_NATS_CREDS;
  const merged: Record<string, unknown> = { ...base, nats, ...opts.overrides };
  if (env.PEOPLESYNC_PREFIX) merged.prefix = env.PEOPLESYNC_PREFIX;
  if (env.PEOPLESYNC_LOG_LEVEL) merged.logLevel = env.PEOPLESYNC_LOG_LEVEL;
  if (env.PEOPLESYNC_DATA_DIR) merged.dataDir = env.PEOPLESYNC_DATA_DIR;
  if (env.PEOPLESYNC_ENCODING) merged.encoding = env.PEOPLESYNC_ENCODING;
  if (env.PEOPLESYNC_HTTP_PORT) merged.http = { ...(merged.http as object), port: Number(env.PEOPLESYNC_HTTP_PORT) };
  try {
    const cfg = parseConfig(merged);
    if (problems.length) throw new ConfigError(problems);
    return cfg;
  } catch (err) {
    if (err instanceof ConfigError) throw new ConfigError([...problems, ...err.problems.filter((p) => !problems.includes(p))]);
    throw err;
  }
}
