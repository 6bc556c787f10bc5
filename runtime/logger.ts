// One root pino logger per process; every actor logs through a child bound to {actor, ws, run}.
// Secret paths are redacted however deep a config or error object nests them. An error is logged
// whole under `err` (`log.warn({ err }, '...')`): type, message, stack and its causes, each with
// theirs.
import { pino, stdSerializers, type Logger, type LevelWithSilent } from 'pino';

export type { Logger };

const SECRET_KEYS = [
  'password',
  'pass',
  'token',
  'accessToken',
  'access_token',
  'clientSecret',
  'client_secret',
  'privateKey',
  'secret',
  'webhookSecret',
  'authorization',
  'Authorization',
  'assertion',
  'refreshToken',
];
export const REDACT_PATHS = SECRET_KEYS.flatMap((k) => [k, `*.${k}`, `*.*.${k}`, `*.*.*.${k}`]);

export interface LoggerOptions {
  level?: LevelWithSilent;
  /** Write to this destination instead of stdout (tests capture lines). */
  destination?: NodeJS.WritableStream;
  name?: string;
}

export function createLogger(opts: LoggerOptions = {}): Logger {
  const options = {
    name: opts.name ?? 'peoplesync',
    level: opts.level ?? 'info',
    redact: { paths: REDACT_PATHS, censor: '[redacted]' },
    serializers: { err: stdSerializers.errWithCause },
    base: { pid: process.pid },
  };
  return opts.destination ? pino(options, opts.destination) : pino(options);
}
