// One table of exit codes for every command, and the one shape of an error under --json.
// Imported only once an error happened: it loads the runtime's and the protocol's error types.
import { CommanderError } from 'commander';
import { ControlError } from '../protocol/index.ts';
import { ConfigError, NatsUnreachableError } from '../runtime/index.ts';

export const EXIT = { ok: 0, failure: 1, usage: 2, unavailable: 3, interrupted: 130 } as const;

export class UsageError extends Error {
  override name = 'UsageError';
}

export interface ErrorBody {
  error: { code: string; message: string; exitCode: number; status?: number; details?: unknown };
}

/** The exit code and the `--json` body of an error a command ended with. */
export function describeError(err: unknown): ErrorBody['error'] {
  const message = (err as Error)?.message ?? String(err);
  if (err instanceof UsageError) return { code: 'usage', message, exitCode: EXIT.usage };
  if (err instanceof ConfigError) return { code: 'config', message, exitCode: EXIT.usage };
  if (err instanceof CommanderError) return { code: 'usage', message: message.replace(/^error: /, ''), exitCode: EXIT.usage };
  if (err instanceof NatsUnreachableError) return { code: 'nats_unreachable', message, exitCode: EXIT.unavailable };
  if (err instanceof ControlError) {
    const exitCode = err.status >= 500 ? EXIT.unavailable : err.code === 'unknown_workspace' ? EXIT.usage : EXIT.failure;
    return { code: err.code, message, exitCode, status: err.status, ...(err.details === undefined ? {} : { details: err.details }) };
  }
  return { code: 'failure', message, exitCode: EXIT.failure };
}
