// `peoplesync dlq list|replay`: dead letters (messages that could not be processed), for
// operators. Kept apart from sync errors. A listing is read a page at a time (a cursor by
// sequence), filtered by reason, stage, type or run; a replay goes in batches the endpoint takes.
import { DLQ_LIST_MAX, DLQ_REPLAY_MAX, DlqFilterSchema, type DlqFilter, DlqList, DlqReplay } from '../../protocol/index.ts';
import type { DeadLetter } from '../../runtime/index.ts';
import { UsageError, configFrom, intOption, workspaceFrom, type Common } from '../args.ts';
import { type ControlClient, controlClient } from '../control-client.ts';

export function formatLetters(letters: DeadLetter[]): string {
  if (letters.length === 0) return 'No dead letters.';
  return letters
    .map((l) =>
      [
        `#${l.seq}  ${l.at ?? '?'}  ${l.reason}  ${l.type ?? '(no type)'}  ${l.size} bytes${l.truncated ? ' (truncated copy)' : ''}${l.deliveries ? `, ${l.deliveries} deliveries` : ''}${l.run ? `  run ${l.run}` : ''}`,
        `  from ${l.originalSubject ?? '?'}`,
        `  ${l.error}`,
      ].join('\n'),
    )
    .join('\n');
}

export function parseSeqs(args: string[]): number[] {
  if (args.length === 0) throw new UsageError('dlq replay needs sequence numbers, or --all with filters');
  return args.map((a) => {
    if (!/^\d+$/.test(a)) throw new UsageError(`sequence numbers are whole numbers, got "${a}"`);
    return Number(a);
  });
}

/** The filter options as the endpoint takes them; a bad value is refused with what it should be. */
export function parseFilter(values: { reason?: string; stage?: string; type?: string; run?: string }): DlqFilter {
  const { reason, stage, type, run } = values;
  const raw = Object.fromEntries(Object.entries({ reason, stage, type, run }).filter(([, v]) => v !== undefined));
  const r = DlqFilterSchema.safeParse(raw);
  if (!r.success) throw new UsageError(r.error.issues.map((i) => `--${i.path.join('.')}: ${i.message}`).join('; '));
  return r.data;
}

/** Every letter matching the filter, page by page from the start. */
async function* allLetters(client: ControlClient, filter: DlqFilter): AsyncIterable<DeadLetter[]> {
  let after = 0;
  for (;;) {
    const page = await client.request(DlqList, { limit: DLQ_LIST_MAX, after, ...filter }, 30_000);
    if (page.letters.length) yield page.letters;
    if (page.next === null) return;
    after = page.next;
  }
}

/** Replays in batches the endpoint takes, saying how far it got. */
async function replayAll(client: ControlClient, seqs: number[], progress: (s: string) => void) {
  const total = { replayed: 0, missing: [] as number[], truncated: [] as number[] };
  for (let i = 0; i < seqs.length; i += DLQ_REPLAY_MAX) {
    const r = await client.request(DlqReplay, { seqs: seqs.slice(i, i + DLQ_REPLAY_MAX) }, 60_000);
    total.replayed += r.replayed;
    total.missing.push(...r.missing);
    total.truncated.push(...r.truncated);
    if (seqs.length > DLQ_REPLAY_MAX)
      progress(`replayed ${total.replayed} of ${seqs.length} (${Math.min(i + DLQ_REPLAY_MAX, seqs.length)} asked)`);
  }
  return total;
}

type DlqOptions = Common & { limit?: string; after?: string; all?: boolean; reason?: string; stage?: string; type?: string; run?: string };

export function runDlq(sub: 'list' | 'replay') {
  return async (values: DlqOptions, args: string[]): Promise<number> => {
    const limit = values.limit === undefined ? undefined : intOption('limit', values.limit, 1, DLQ_LIST_MAX);
    const after = values.after === undefined ? undefined : intOption('after', values.after, 0);
    const filter = parseFilter(values);
    if (sub === 'replay' && values.all && args.length) throw new UsageError('dlq replay takes sequence numbers or --all, not both');
    const seqs = sub === 'replay' && !values.all ? parseSeqs(args) : [];
    const cfg = configFrom(values);
    const client = await controlClient(cfg, workspaceFrom(cfg, values.ws));
    const out = (s: string) => process.stdout.write(s + '\n');
    try {
      if (sub === 'list') {
        if (values.all) {
          const letters: DeadLetter[] = [];
          for await (const page of allLetters(client, filter)) letters.push(...page);
          out(values.json ? JSON.stringify({ letters, next: null }, null, 2) : formatLetters(letters));
          return 0;
        }
        const r = await client.request(DlqList, {
          ...(limit === undefined ? {} : { limit }),
          ...(after === undefined ? {} : { after }),
          ...filter,
        });
        const more = r.next === null ? '' : `\nMore: peoplesync dlq list --after ${r.next}`;
        out(values.json ? JSON.stringify(r, null, 2) : formatLetters(r.letters) + more);
        return 0;
      }
      if (values.all) for await (const page of allLetters(client, filter)) seqs.push(...page.map((l) => l.seq));
      if (seqs.length === 0) {
        out(values.json ? JSON.stringify({ replayed: 0, missing: [], truncated: [] }) : 'No dead letters to replay.');
        return 0;
      }
      const r = await replayAll(client, seqs, (s) => process.stderr.write(s + '\n'));
      const text =
        `Replayed ${r.replayed} of ${seqs.length}.` +
        (r.missing.length ? ` Not found: ${r.missing.join(', ')}` : '') +
        (r.truncated.length
          ? `${r.missing.length ? '.' : ''} Not replayable (only a truncated copy is kept): ${r.truncated.join(', ')}`
          : '');
      out(values.json ? JSON.stringify(r) : text);
      return r.missing.length || r.truncated.length ? 1 : 0;
    } finally {
      await client.close();
    }
  };
}
