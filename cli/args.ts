// Shared option parsing for every subcommand: the config file, the workspace, JSON output.
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { type Config, loadConfig } from '../runtime/index.ts';

export const COMMON_OPTIONS = {
  config: { type: 'string', short: 'c' },
  ws: { type: 'string', short: 'w' },
  json: { type: 'boolean', default: false },
  help: { type: 'boolean', short: 'h', default: false },
} as const satisfies ParseArgsConfig['options'];

export class UsageError extends Error {
  override name = 'UsageError';
}

export function parse<O extends ParseArgsConfig['options']>(argv: string[], options: O, allowPositionals = false) {
  try {
    return parseArgs({ args: argv, options: { ...COMMON_OPTIONS, ...options }, allowPositionals, strict: true });
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
}

export function configFrom(values: { config?: string | boolean }): Config {
  return loadConfig({ file: typeof values.config === 'string' ? values.config : undefined });
}

/** The workspace a command acts on: --ws, or the only configured one. */
export function workspaceFrom(cfg: Config, ws: string | boolean | undefined): string {
  if (typeof ws === 'string') return ws;
  if (cfg.workspaces.length === 1) return cfg.workspaces[0].id;
  throw new UsageError(`--ws is needed: configured workspaces are ${cfg.workspaces.map((w) => w.id).join(', ') || '(none)'}`);
}

export const EXIT = { ok: 0, failure: 1, usage: 2, unavailable: 3 } as const;
