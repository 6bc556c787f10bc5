// What every command reads from the common options: the config file and the workspace.
import { type Config, loadConfig } from '../runtime/index.ts';
import { UsageError } from './exit-codes.ts';

export { EXIT, UsageError } from './exit-codes.ts';

/** The options every command takes, merged with the command's own. */
export interface Common {
  config?: string;
  ws?: string;
  json?: boolean;
}

export function configFrom(values: { config?: string }): Config {
  return loadConfig({ file: values.config });
}

/** The workspace a command acts on: --ws, or the only configured one. A --ws the config does not
 * list is refused here, saying so, when the config lists workspaces at all. */
export function workspaceFrom(cfg: Config, ws: string | undefined): string {
  const known = cfg.workspaces.map((w) => w.id);
  if (ws !== undefined) {
    if (known.length && !known.includes(ws)) throw new UsageError(`workspace "${ws}" is unknown: the config has ${known.join(', ')}`);
    return ws;
  }
  if (known.length === 1) return known[0];
  throw new UsageError(`--ws is needed: configured workspaces are ${known.join(', ') || '(none)'}`);
}

/** A whole number option from min to max, or a usage error naming it. */
export function intOption(name: string, value: unknown, min: number, max = Number.MAX_SAFE_INTEGER): number {
  const n = Number(value);
  if (typeof value !== 'string' || !/^\d+$/.test(value.trim()) || n < min || n > max) {
    throw new UsageError(`--${name} must be a whole number from ${min} to ${max}, got "${String(value)}"`);
  }
  return n;
}
