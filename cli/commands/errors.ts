// `peoplesync errors list|show|count|retry`: the sync errors of a workspace, for the people who
// own the data. Formatting is pure and exported for tests.
import {
  ControlError,
  ErrorCauseSchema,
  ErrorsCount,
  ErrorsList,
  ErrorsRetry,
  ErrorsShow,
  type SyncError,
  SyncTypeSchema,
} from '../../protocol/index.ts';
import { UsageError, configFrom, intOption, workspaceFrom, type Common } from '../args.ts';
import { controlClient } from '../control-client.ts';

const DURATION = /^(\d+)\s*(s|m|h|d|w)$/;
const UNIT_MS: Record<string, number> = { s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 };

/** `--since`: a duration back from now (30m, 12h, 7d) or an ISO date/time. */
export function parseSince(text: string, now: number): number {
  const d = DURATION.exec(text.trim());
  if (d) return now - Number(d[1]) * UNIT_MS[d[2]];
  const ms = Date.parse(text);
  if (Number.isNaN(ms))
    throw new UsageError(`--since must be a duration such as 30m, 12h or 7d, or an ISO date such as 2024-05-01, got "${text}"`);
  return ms;
}

function oneOf<T extends string>(name: string, value: string, allowed: readonly T[]): T {
  if (!(allowed as readonly string[]).includes(value)) throw new UsageError(`${name} must be one of ${allowed.join(', ')}, got "${value}"`);
  return value as T;
}

const when = (ms: number) => new Date(ms).toISOString().replace('T', ' ').slice(0, 19);
const dir = (d: SyncError['direction']) => (d === 'intercom_to_salesforce' ? 'ic->sf' : 'sf->ic');
const recordOf = (e: SyncError) =>
  [e.sfId ? `${e.sfObject ?? 'SF'} ${e.sfId}` : null, e.icId ? `ic ${e.icId}` : null].filter(Boolean).join(' / ');

export function formatErrorList(errors: SyncError[], total: number, all: boolean): string {
  const scope = all ? 'both directions' : 'Intercom -> Salesforce; --all for both directions';
  if (errors.length === 0) return `No sync errors (${scope}).`;
  const rows = errors.map((e) => [when(e.lastAt), e.syncType, dir(e.direction), e.cause, String(e.attempts), e.id, recordOf(e)]);
  const head = ['LAST SEEN (UTC)', 'SYNC', 'DIR', 'CAUSE', 'TRIES', 'ID', 'RECORD'];
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (r: string[]) => r.map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i]))).join('  ');
  const out = [`${errors.length} of ${total} sync errors (${scope})`, line(head)];
  errors.forEach((e, i) => out.push(line(rows[i]), `  ${e.message}${e.attributes.length ? ` [${e.attributes.join(', ')}]` : ''}`));
  return out.join('\n');
}

export function formatError(e: SyncError): string {
  const rows: Array<[string, string]> = [
    ['id', e.id],
    ['cause', e.cause],
    ['message', e.message],
    ['sync type', e.syncType],
    ['direction', e.direction],
    ['salesforce', e.sfId ? `${e.sfObject ?? ''} ${e.sfId}`.trim() : '-'],
    ['intercom', e.icId ?? '-'],
    ['attributes', e.attributes.join(', ') || '-'],
    ['first seen', `${when(e.firstAt)} UTC`],
    ['last seen', `${when(e.lastAt)} UTC`],
    ['attempts', String(e.attempts)],
    ['run', e.run ?? '-'],
  ];
  const width = Math.max(...rows.map(([k]) => k.length));
  return [...rows.map(([k, v]) => `${k.padEnd(width)}  ${v}`), 'details', JSON.stringify(e.details, null, 2)].join('\n');
}

export function formatCounts(byCause: Record<string, number>, total: number): string {
  const rows = Object.entries(byCause).sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]));
  if (rows.length === 0) return 'No sync errors.';
  const width = Math.max(...rows.map(([k]) => k.length), 'total'.length);
  return [...rows.map(([k, n]) => `${k.padEnd(width)}  ${n}`), `${'total'.padEnd(width)}  ${total}`].join('\n');
}

type Sub = 'list' | 'show' | 'count' | 'retry';

/** What became of one retried error: gone (synced), failed again, or not known yet. */
export interface RetryOutcome {
  id: string;
  outcome: 'resolved' | 'failed' | 'pending';
  cause?: string;
  message?: string;
}

/** Polls each error until it is gone (the retry synced it) or seen again after `since` (it failed
 * again), or the deadline passes. */
export async function waitForRetries(c: Client, errors: SyncError[], since: number, timeoutMs: number): Promise<RetryOutcome[]> {
  const deadline = Date.now() + timeoutMs;
  const open = new Map(errors.map((e) => [e.id, e]));
  const out: RetryOutcome[] = [];
  while (open.size > 0 && Date.now() < deadline) {
    for (const id of [...open.keys()]) {
      try {
        const { error } = await c.request(ErrorsShow, { id });
        if (error.lastAt > since) {
          out.push({ id, outcome: 'failed', cause: error.cause, message: error.message });
          open.delete(id);
        }
      } catch (err) {
        if (!(err instanceof ControlError) || err.code !== 'not_found') throw err;
        out.push({ id, outcome: 'resolved' });
        open.delete(id);
      }
    }
    if (open.size > 0) await new Promise((r) => setTimeout(r, 250));
  }
  return [...out, ...[...open.keys()].map((id) => ({ id, outcome: 'pending' as const }))];
}

export function formatRetries(outcomes: RetryOutcome[], timeoutS: number): string {
  if (outcomes.length === 0) return 'No sync errors to retry.';
  return outcomes
    .map((o) =>
      o.outcome === 'resolved'
        ? `${o.id}  resolved: synced on retry`
        : o.outcome === 'failed'
          ? `${o.id}  failed again (${o.cause}): ${o.message}`
          : `${o.id}  no outcome within ${timeoutS} s (the retry is still queued or running)`,
    )
    .join('\n');
}

export function runErrors(sub: Sub) {
  return async (values: Common & Values, args: string[]): Promise<number> => {
    const cause = values.cause === undefined ? undefined : oneOf('--cause', values.cause, ErrorCauseSchema.options);
    const request = buildRequest(sub, args, { ...values, cause });
    const cfg = configFrom(values);
    const client = await controlClient(cfg, workspaceFrom(cfg, values.ws));
    try {
      const out = await request(client);
      process.stdout.write((values.json ? JSON.stringify(out.json, null, 2) : out.text) + '\n');
      return out.failed ? 1 : 0;
    } finally {
      await client.close();
    }
  };
}

type Client = Awaited<ReturnType<typeof controlClient>>;
type Values = {
  all?: boolean;
  cause?: string;
  type?: string;
  since?: string;
  limit?: string;
  offset?: string;
  wait?: boolean;
  timeout?: string;
};
type Request = (c: Client) => Promise<{ json: unknown; text: string; failed?: boolean }>;

function count(name: string, v: string | undefined): number | undefined {
  if (v === undefined) return undefined;
  if (!/^\d+$/.test(v)) throw new UsageError(`${name} must be a whole number, got "${v}"`);
  return Number(v);
}

/** Checks the arguments before connecting, so a typo never waits for NATS. */
function buildRequest(sub: Sub, args: string[], v: Values): Request {
  const cause = v.cause as SyncError['cause'] | undefined;
  switch (sub) {
    case 'list': {
      const q = {
        direction: v.all ? ('all' as const) : ('intercom_to_salesforce' as const),
        cause,
        syncType: v.type === undefined ? undefined : oneOf('--type', v.type, SyncTypeSchema.options),
        since: v.since === undefined ? undefined : parseSince(v.since, Date.now()),
        limit: count('--limit', v.limit),
        offset: count('--offset', v.offset),
      };
      return async (c) => {
        const r = await c.request(ErrorsList, q);
        return { json: r, text: formatErrorList(r.errors, r.total, !!v.all) };
      };
    }
    case 'show': {
      return async (c) => {
        const r = await c.request(ErrorsShow, { id: args[0] });
        return { json: r.error, text: formatError(r.error) };
      };
    }
    case 'count':
      return async (c) => {
        const r = await c.request(ErrorsCount, {});
        return { json: r, text: formatCounts(r.byCause, r.total) };
      };
    default:
      if (args.length === 0 && !cause) throw new UsageError('errors retry needs error ids or --cause CAUSE');
      return retryRequest(args, cause, v);
  }
}

/** `errors retry`: queue, then (unless --no-wait) wait for each error's outcome and print it. */
function retryRequest(ids: string[], cause: SyncError['cause'] | undefined, v: Values): Request {
  const timeoutS = intOption('timeout', v.timeout ?? '60', 1, 3_600);
  return async (c) => {
    // The errors a retry by cause will take, listed first so that their outcomes can be told.
    const targets = v.wait === false ? [] : await retryTargets(c, ids, cause);
    const since = Date.now();
    const r = await c.request(ErrorsRetry, { ids, cause, by: process.env.USER ?? 'cli' });
    const queued = `Queued ${r.queued} ${r.queued === 1 ? 'retry' : 'retries'} (class retry).`;
    if (v.wait === false) return { json: r, text: queued };
    const outcomes = await waitForRetries(c, targets, since, timeoutS * 1_000);
    return {
      json: { ...r, outcomes },
      text: `${queued}\n${formatRetries(outcomes, timeoutS)}`,
      failed: outcomes.some((o) => o.outcome !== 'resolved'),
    };
  };
}

async function retryTargets(c: Client, ids: string[], cause: SyncError['cause'] | undefined): Promise<SyncError[]> {
  const byId = await Promise.all(ids.map(async (id) => (await c.request(ErrorsShow, { id })).error));
  if (!cause) return byId;
  const { errors } = await c.request(ErrorsList, { direction: 'all', cause, limit: 500 });
  return [...byId, ...errors.filter((e) => !ids.includes(e.id))];
}
