// Worker configuration: a JSON file and/or environment variables, validated by one zod schema.
// A bad configuration is refused at start-up with every problem listed, never the first only.
import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { DEFAULT_DECODE_LIMITS, DEFAULT_QUEUE_TUNING, checkPrefix, checkWorkspaceId } from '../protocol/index.ts';

/** The one default of each knob the config file and the host share. */
export const DEFAULTS = {
  prefix: 'peoplesync',
  encoding: 'msgpack',
  // Long enough that a NATS server stalled by a saturated host does not depose every leader.
  leaseTtlMs: 5_000,
  /** Handlers of one queue running at once in one process. */
  concurrency: 8,
  queue: DEFAULT_QUEUE_TUNING,
  limits: DEFAULT_DECODE_LIMITS,
} as const;

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

const PortSchema = z.number().int().min(0).max(65535);

/** A password hash as `peoplesync credentials password` prints it: scrypt, its cost, salt and hash. */
export const PASSWORD_HASH = /^scrypt\$\d+\$\d+\$\d+\$[A-Za-z0-9_-]{16,}\$[A-Za-z0-9_-]{32,}$/;
/** An API token's hash: sha256 of the token, hex (a token is random, so a fast hash is enough). */
export const TOKEN_HASH = /^sha256\$[0-9a-f]{64}$/;

export const OperatorSchema = z
  .object({
    name: z.string().regex(/^[A-Za-z0-9._@-]{1,64}$/, 'must be 1-64 letters, digits, . _ @ or -'),
    /** `admin` changes settings and runs; `read-only` sees usage, runs and errors and changes nothing. */
    role: z.enum(['admin', 'read-only']),
    passwordHash: z.string().regex(PASSWORD_HASH, 'must be a hash from `peoplesync credentials password`, never the password').optional(),
    tokenHash: z.string().regex(TOKEN_HASH, 'must be a hash from `peoplesync credentials token`, never the token').optional(),
  })
  .refine((o) => o.passwordHash || o.tokenHash, { message: 'an operator needs a passwordHash, a tokenHash or both' });
export type OperatorConfig = z.infer<typeof OperatorSchema>;

const ConsoleSchema = z
  .object({
    /** Who may sign in. None: the console and the API refuse everyone (webhooks still work). */
    operators: z.array(OperatorSchema).default([]),
    /** Signs session cookies and CSRF tokens; the same on every gateway behind one address. Absent:
     * a random one per process (sessions end when it restarts and do not carry across gateways). */
    sessionSecret: z.string().min(32, 'must be at least 32 characters').optional(),
    sessionHours: z
      .number()
      .positive()
      .max(24 * 30)
      .default(12),
  })
  .superRefine((c, ctx) => {
    const seen = new Set<string>();
    c.operators.forEach((o, i) => {
      if (seen.has(o.name))
        ctx.addIssue({ code: 'custom', path: ['operators', i, 'name'], message: `operator "${o.name}" is configured twice` });
      seen.add(o.name);
    });
  });
export type ConsoleConfig = z.infer<typeof ConsoleSchema>;

export const ConfigSchema = z
  .object({
    nats: z
      .object({
        servers: z.array(z.string().min(1)).min(1).default(['nats://127.0.0.1:4222']),
        user: z.string().optional(),
        pass: z.string().optional(),
        credsFile: z.string().optional(),
        /** Where replies come to: `_INBOX` unless the user may only use inboxes of its own (nats.conf). */
        inboxPrefix: z
          .string()
          .regex(/^[A-Za-z0-9_$-]+(\.[A-Za-z0-9_$-]+)*$/, 'must be dot-separated subject tokens without wildcards')
          .optional(),
        tls: z.object({ caFile: z.string().optional(), certFile: z.string().optional(), keyFile: z.string().optional() }).optional(),
        /** JetStream replicas for streams and buckets: 1 on a single node, 3 in a cluster. */
        replicas: z.union([z.literal(1), z.literal(3)]).default(1),
      })
      .default({ servers: ['nats://127.0.0.1:4222'], replicas: 1 }),
    prefix: z
      .string()
      .default(DEFAULTS.prefix)
      .refine((s) => {
        try {
          checkPrefix(s);
          return true;
        } catch {
          return false;
        }
      }, 'must be dot-separated letters, digits, - or _'),
    encoding: z.enum(['msgpack', 'json']).default(DEFAULTS.encoding),
    logLevel: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
    dataDir: z.string().default('.data'),
    leaseTtlMs: z.number().int().min(500).default(DEFAULTS.leaseTtlMs),
    queue: z
      .object({
        ackWaitMs: z.number().int().min(500).default(DEFAULTS.queue.ackWaitMs),
        maxDeliver: z.number().int().min(1).default(DEFAULTS.queue.maxDeliver),
        maxAckPending: z.number().int().min(1).default(DEFAULTS.queue.maxAckPending),
        concurrency: z.number().int().min(1).default(DEFAULTS.concurrency),
      })
      .default({ ...DEFAULTS.queue, concurrency: DEFAULTS.concurrency }),
    /** What a message may be: refused by size before it is decoded (and by the WORK stream at
     * publish), by nesting depth while it is. Keep maxMessageBytes well below NATS's max_payload. */
    limits: z
      .object({
        maxMessageBytes: z
          .number()
          .int()
          .min(4_096)
          .max(8 * 1024 * 1024)
          .default(DEFAULTS.limits.maxBytes),
        maxDepth: z.number().int().min(4).max(64).default(DEFAULTS.limits.maxDepth),
      })
      .default({ maxMessageBytes: DEFAULTS.limits.maxBytes, maxDepth: DEFAULTS.limits.maxDepth }),
    http: z
      .object({
        host: z.string().default('127.0.0.1'),
        port: PortSchema.default(8080),
        /** Webhooks and /healthz on a listener of their own, the only one a reverse proxy need
         * expose to the internet; absent, they are served beside the console. */
        public: z.object({ host: z.string().default('0.0.0.0'), port: PortSchema }).optional(),
        /** Behind a reverse proxy: trust X-Forwarded-For/-Proto (client address, https). */
        trustProxy: z.boolean().default(false),
      })
      .default({ host: '127.0.0.1', port: 8080, trustProxy: false }),
    console: ConsoleSchema.default({ operators: [], sessionHours: 12 }),
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
    /** Prometheus metrics of this worker on http://host:port/metrics (none without it). */
    metrics: z.object({ host: z.string().default('127.0.0.1'), port: PortSchema }).optional(),
    /** Base URL of the console, for links in emails and run summaries. */
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

/** What of the configuration actors read (`ctx.config`): values only; the services built from
 * the rest (clients, mailer, clock) reach an actor through the `deps` it declared. */
export interface ActorConfig {
  /** Local state (LMDB) lives under here. */
  readonly dataDir: string;
  /** Base URL of the console, for links in emails. */
  readonly publicUrl: string;
  /** Where the gateway listens (port 0: any free port), and its public listener if any. */
  readonly http: Config['http'];
  /** Who may sign in to the console and the API. */
  readonly console: Config['console'];
  /** Per configured workspace: the Intercom client secret that signs its webhooks (none: undefined),
   * and whether its Salesforce change events are listened to (`salesforce.changeEvents`). */
  readonly workspaces: Readonly<Record<string, { readonly webhookSecret?: string; readonly changeEvents: boolean }>>;
}

export function actorConfig(cfg: Config): ActorConfig {
  return {
    dataDir: cfg.dataDir,
    publicUrl: cfg.publicUrl,
    http: cfg.http,
    console: cfg.console,
    workspaces: Object.fromEntries(
      cfg.workspaces.map((w) => [w.id, { webhookSecret: w.intercom.webhookSecret, changeEvents: w.salesforce.changeEvents }]),
    ),
  };
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
 * PEOPLESYNC_NATS_PASS, PEOPLESYNC_NATS_CREDS, PEOPLESYNC_NATS_INBOX_PREFIX, PEOPLESYNC_PREFIX, PEOPLESYNC_LOG_LEVEL,
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
  if (env.PEOPLESYNC_NATS_INBOX_PREFIX) nats.inboxPrefix = env.PEOPLESYNC_NATS_INBOX_PREFIX;
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
