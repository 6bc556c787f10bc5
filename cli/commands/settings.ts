// `peoplesync settings get|save FILE [--confirm-stop-bulk] [--ws W] [--json]`: read the
// workspace settings, or check and store them. `get` writes the settings alone to stdout, so
// `settings get > s.json`, an edit and `settings save s.json` round-trip.
import { readFile } from 'node:fs/promises';
import { userInfo } from 'node:os';
import { ControlError, QuotaUsageShow, type ReplyOf, SettingsGet, SettingsSave } from '../../protocol/index.ts';
import type { Messenger } from '../../runtime/index.ts';
import { EXIT, UsageError, configFrom, parse, workspaceFrom } from '../args.ts';
import { controlClient } from '../control-client.ts';
import type { Command } from './types.ts';

const SAVE_TIMEOUT_MS = 30_000;
const USAGE = 'usage: peoplesync settings get [--ws W] [--json] | settings save FILE|- [--confirm-stop-bulk] [--ws W] [--json]';

async function readInput(file: string): Promise<string> {
  if (file === '-') {
    const chunks: Buffer[] = [];
    for await (const c of process.stdin) chunks.push(c as Buffer);
    return Buffer.concat(chunks).toString('utf8');
  }
  try {
    return await readFile(file, 'utf8');
  } catch (err) {
    throw new UsageError(`cannot read settings file ${file}: ${(err as Error).message}`);
  }
}

/** The settings file as JSON, or a usage error naming the file and what is wrong with it. */
export function parseSettingsText(text: string, file: string): unknown {
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new UsageError(`settings file ${file === '-' ? '(stdin)' : file} is not valid JSON: ${(err as Error).message}`);
  }
}

function savedBy(): string {
  try {
    return `${userInfo().username} (cli)`;
  } catch {
    return 'cli';
  }
}

/**
 * A save as `settings save` sends it, once the workspace's quota leader answers: the describe
 * calls that check new mappings lease its tokens, and a leader still being elected would refuse
 * them. For a process that has just started its workers (the demo, tests).
 */
export async function saveWhenReady(
  m: Messenger,
  ws: string,
  settings: unknown,
  savedBy: string,
  o: { confirmStopBulk?: boolean; timeoutMs?: number } = {},
): Promise<ReplyOf<typeof SettingsSave>> {
  const deadline = Date.now() + (o.timeoutMs ?? 30_000);
  for (;;) {
    try {
      await m.request(QuotaUsageShow, ws, {}, 3_000);
      break;
    } catch (err) {
      if (!(err instanceof ControlError) || err.status < 500 || Date.now() > deadline) throw err;
      await new Promise((r) => setTimeout(r, 200));
    }
  }
  return m.request(SettingsSave, ws, { settings, savedBy, confirmStopBulk: o.confirmStopBulk ?? false }, SAVE_TIMEOUT_MS);
}

/** A refused save, one problem a line. */
export function formatRefusal(err: ControlError): string {
  const problems = (err.details as { problems?: { path: string; message: string }[] } | undefined)?.problems;
  if (err.code !== 'invalid_settings' || !Array.isArray(problems)) return `${err.message} (${err.code})`;
  const lines = problems.map((p) => `  ${p.path || '(settings)'}: ${p.message}`);
  return [`settings refused, nothing was saved (${problems.length} problem${problems.length === 1 ? '' : 's'}):`, ...lines].join('\n');
}

function out(line: string): void {
  process.stdout.write(line + '\n');
}

export const settingsCommand: Command = {
  usage: USAGE,
  name: 'settings',
  summary: 'Show the workspace settings (get) or check and store them (save FILE)',
  async run(argv) {
    const { values, positionals } = parse(argv, { 'confirm-stop-bulk': { type: 'boolean', default: false } }, true);
    const [verb, file, ...extra] = positionals;
    if (verb !== 'get' && verb !== 'save')
      throw new UsageError(`expected "get" or "save", got ${verb ? `"${verb}"` : 'nothing'}\n${USAGE}`);
    if (verb === 'save' && !file) throw new UsageError(`save needs the settings file (or - for stdin)\n${USAGE}`);
    if (extra.length > 0 || (verb === 'get' && file))
      throw new UsageError(`unexpected argument(s): ${[...(verb === 'get' ? [file] : []), ...extra].join(' ')}`);
    const settings = verb === 'save' ? parseSettingsText(await readInput(file), file) : undefined;
    const cfg = configFrom(values);
    const client = await controlClient(cfg, workspaceFrom(cfg, values.ws));
    try {
      if (verb === 'get') {
        const r = await client.request(SettingsGet, {});
        if (values.json) out(JSON.stringify(r, null, 2));
        else if (r.settings === null) process.stderr.write('no settings stored for this workspace yet\n');
        else {
          process.stderr.write(`revision ${r.revision}\n`);
          out(JSON.stringify(r.settings, null, 2));
        }
        return r.settings === null && !values.json ? EXIT.failure : EXIT.ok;
      }
      const r = await client.request(
        SettingsSave,
        { settings, confirmStopBulk: values['confirm-stop-bulk'] === true, savedBy: savedBy() },
        SAVE_TIMEOUT_MS,
      );
      if (values.json) out(JSON.stringify(r, null, 2));
      else out(`saved settings revision ${r.revision}${r.stoppedRun ? `; stopped bulk run ${r.stoppedRun}` : ''}`);
      return EXIT.ok;
    } catch (err) {
      if (!(err instanceof ControlError) || err.status >= 500) throw err;
      if (values.json)
        out(JSON.stringify({ error: { code: err.code, message: err.message, status: err.status, details: err.details } }, null, 2));
      else process.stderr.write(`peoplesync settings: ${formatRefusal(err)}\n`);
      return EXIT.failure;
    } finally {
      await client.close();
    }
  },
};
