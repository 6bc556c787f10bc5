// `peoplesync dlq list|replay`: dead letters (messages that could not be processed), for
// operators. Kept apart from sync errors.
import { DlqList, DlqReplay } from '../../protocol/index.ts';
import type { DeadLetter } from '../../runtime/index.ts';
import { UsageError, configFrom, parse, workspaceFrom } from '../args.ts';
import { controlClient } from '../control-client.ts';
import type { Command } from './types.ts';

const USAGE = 'usage: peoplesync dlq list [--limit N] | replay SEQ...';

export function formatLetters(letters: DeadLetter[]): string {
  if (letters.length === 0) return 'No dead letters.';
  return letters
    .map((l) =>
      [
        `#${l.seq}  ${l.at ?? '?'}  ${l.reason}  ${l.type ?? '(no type)'}  ${l.size} bytes${l.deliveries ? `, ${l.deliveries} deliveries` : ''}`,
        `  from ${l.originalSubject ?? '?'}`,
        `  ${l.error}`,
      ].join('\n'),
    )
    .join('\n');
}

export function parseSeqs(args: string[]): number[] {
  if (args.length === 0) throw new UsageError(`dlq replay needs sequence numbers; ${USAGE}`);
  return args.map((a) => {
    if (!/^\d+$/.test(a)) throw new UsageError(`sequence numbers are whole numbers, got "${a}"`);
    return Number(a);
  });
}

export const dlqCommand: Command = {
  usage: USAGE,
  name: 'dlq',
  summary: 'Dead letters: list [--limit N], replay SEQ... (after fixing their cause)',
  async run(argv) {
    const { values, positionals } = parse(argv, { limit: { type: 'string' } }, true);
    const [sub, ...args] = positionals;
    if (sub !== 'list' && sub !== 'replay') throw new UsageError(sub ? `unknown dlq subcommand "${sub}"; ${USAGE}` : USAGE);
    if (sub === 'list' && args.length) throw new UsageError(`dlq list takes no arguments, got ${args.join(' ')}`);
    if (values.limit !== undefined && !/^\d+$/.test(values.limit))
      throw new UsageError(`--limit must be a whole number, got "${values.limit}"`);
    const seqs = sub === 'replay' ? parseSeqs(args) : [];
    const cfg = configFrom(values);
    const client = await controlClient(cfg, workspaceFrom(cfg, values.ws));
    try {
      if (sub === 'list') {
        const r = await client.request(DlqList, values.limit === undefined ? {} : { limit: Number(values.limit) });
        process.stdout.write((values.json ? JSON.stringify(r.letters, null, 2) : formatLetters(r.letters)) + '\n');
        return 0;
      }
      const r = await client.request(DlqReplay, { seqs });
      const text = `Replayed ${r.replayed} of ${seqs.length}.${r.missing.length ? ` Not found: ${r.missing.join(', ')}` : ''}`;
      process.stdout.write((values.json ? JSON.stringify(r) : text) + '\n');
      return r.missing.length ? 1 : 0;
    } finally {
      await client.close();
    }
  },
};
