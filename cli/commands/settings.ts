// `peoplesync settings get|save FILE [--confirm-stop-bulk] [--ws W] [--json]`: read the
// workspace settings, or check and store them. `get` writes the settings alone to stdout, so
// `settings get > s.json`, an edit and `settings save s.json` round-trip.
import { readFile } from 'node:fs/promises';
import { userInfo } from 'node:os';
import { ControlError, QuotaUsageShow, type ReplyOf, SettingsGet, SettingsSave } from '../../protocol/index.ts';
import type { Messenger } from '../../runtime/index.ts';
import { EXIT, UsageError, configFrom, workspaceFrom, type Common } from '../args.ts';
import { controlClient } from '../control-client.ts';

const SAVE_TIMEOUT_MS = 30_000;

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

/** Where a problem is, mappings named by their id: `mappings.3.sfField` of a mapping whose id is
 * "email" reads `mapping "email" sfField`. */
export function problemPlace(path: string, settings: unknown): string {
  const m = /^mappings\.(\d+)(?:\.(.*))?$/.exec(path);
  if (!m) return path || '(settings)';
  const id = ((settings as { mappings?: { id?: unknown }[] } | null)?.mappings?.[Number(m[1])] as { id?: unknown } | undefined)?.id;
  const name = typeof id === 'string' && id ? `mapping "${id}"` : `mapping #${Number(m[1]) + 1}`;
  return m[2] ? `${name} ${m[2]}` : name;
}

/** A refused save, one problem a line, each place said once. */
export function formatRefusal(err: ControlError, settings?: unknown): string {
  const problems = (err.details as { problems?: { path: string; message: string }[] } | undefined)?.problems;
  if (err.code !== 'invalid_settings' || !Array.isArray(problems)) return `${err.message} (${err.code})`;
  const lines = problems.map((p) => {
    const message = p.path && p.message.startsWith(`${p.path}: `) ? p.message.slice(p.path.length + 2) : p.message;
    return `  ${problemPlace(p.path, settings)}: ${message}`;
  });
  return [`settings refused, nothing was saved (${problems.length} problem${problems.length === 1 ? '' : 's'}):`, ...lines].join('\n');
}

function out(line: string): void {
  process.stdout.write(line + '\n');
}

export async function runSettingsGet(values: Common): Promise<number> {
  const cfg = configFrom(values);
  const client = await controlClient(cfg, workspaceFrom(cfg, values.ws));
  try {
    const r = await client.request(SettingsGet, {});
    if (values.json) out(JSON.stringify(r, null, 2));
    else if (r.settings === null) process.stderr.write('no settings stored for this workspace yet\n');
    else {
      process.stderr.write(`revision ${r.revision}\n`);
      out(JSON.stringify(r.settings, null, 2));
    }
    return r.settings === null && !values.json ? EXIT.failure : EXIT.ok;
  } finally {
    await client.close();
  }
}

export async function runSettingsSave(values: Common & { confirmStopBulk?: boolean }, [file]: string[]): Promise<number> {
  const settings = parseSettingsText(await readInput(file), file);
  const cfg = configFrom(values);
  const client = await controlClient(cfg, workspaceFrom(cfg, values.ws));
  try {
    const r = await client.request(
      SettingsSave,
      { settings, confirmStopBulk: values.confirmStopBulk === true, savedBy: savedBy() },
      SAVE_TIMEOUT_MS,
    );
    if (values.json) out(JSON.stringify(r, null, 2));
    else out(`saved settings revision ${r.revision}${r.stoppedRun ? `; stopped bulk run ${r.stoppedRun}` : ''}`);
    return EXIT.ok;
  } catch (err) {
    // A refusal is listed a problem a line; anything else (503 among it) is an error like any other.
    if (!(err instanceof ControlError) || err.code !== 'invalid_settings' || values.json) throw err;
    process.stderr.write(`peoplesync settings save: ${formatRefusal(err, settings)}\n`);
    return EXIT.failure;
  } finally {
    await client.close();
  }
}
