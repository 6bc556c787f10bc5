// `peoplesync history <email | Salesforce Id | Intercom id> [--limit N]`: the changes synced for
// one person, newest first, from the writer's audit events. Formatting is pure and exported.
import { type HistoryEntry, PersonHistory, type ReplyOf } from '../../protocol/index.ts';
import { EXIT, configFrom, intOption, workspaceFrom, type Common } from '../args.ts';
import { controlClient } from '../control-client.ts';
import { personKey } from './resync.ts';

const when = (ms: number) => new Date(ms).toISOString().replace('T', ' ').slice(0, 19);
const dir = (d: HistoryEntry['direction']) => (d === 'intercom_to_salesforce' ? 'ic->sf' : 'sf->ic');
const value = (v: unknown) => (v === null || v === undefined ? '(empty)' : typeof v === 'string' ? v : JSON.stringify(v));

export function formatHistory(h: ReplyOf<typeof PersonHistory>): string {
  if (h.changes.length === 0) {
    const found = h.sfIds.length + h.icIds.length ? ` (records ${[...h.sfIds, ...h.icIds].join(', ')})` : '';
    return `No changes synced for ${h.key}${found} in the events kept.`;
  }
  const head = ['TIME (UTC)', 'DIR', 'ATTRIBUTE', 'OLD', 'NEW', 'SYNC', 'RUN'];
  const rows = h.changes.map((c) => [when(c.at), dir(c.direction), c.attribute, value(c.from), value(c.to), c.syncType, c.run ?? '-']);
  const widths = head.map((t, i) => Math.max(t.length, ...rows.map((r) => r[i].length)));
  const line = (r: string[]) => r.map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i]))).join('  ');
  const more = h.truncated ? ` (the newest ${h.changes.length}; --limit for more)` : '';
  return [`Changes synced for ${h.key}: Salesforce ${h.sfIds.join(', ') || '-'}, Intercom ${h.icIds.join(', ') || '-'}${more}`, line(head)]
    .concat(rows.map(line))
    .join('\n');
}

export async function runHistory(values: Common & { limit?: string }, [person]: string[]): Promise<number> {
  const key = personKey(person);
  const limit = intOption('limit', values.limit, 1, 1000);
  const cfg = configFrom(values);
  const client = await controlClient(cfg, workspaceFrom(cfg, values.ws));
  try {
    const h = await client.request(PersonHistory, { key, limit });
    process.stdout.write((values.json ? JSON.stringify(h, null, 2) : formatHistory(h)) + '\n');
    return EXIT.ok;
  } finally {
    await client.close();
  }
}
