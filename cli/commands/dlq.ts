// `peoplesync dlq list|replay`: dead letters (messages that could not be processed), for
// operators. Kept apart from sync errors.
import { DlqList, DlqReplay } from '../../protocol/index.ts';
import type { DeadLetter } from '../../runtime/index.ts';
import { UsageError, configFrom, intOption, workspaceFrom } from '../args.ts';
import { controlClient } from '../control-client.ts';
import type { Common } from '../program.ts';

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
  if (args.length === 0) throw new UsageError('dlq replay needs sequence numbers');
  return args.map((a) => {
    if (!/^\d+$/.test(a)) throw new UsageError(`sequence numbers are whole numbers, got "${a}"`);
    return Number(a);
  });
}

export function runDlq(sub: 'list' | 'replay') {
  return async (values: Common & { limit?: string }, args: string[]): Promise<number> => {
    const limit = values.limit === undefined ? undefined : intOption('limit', values.limit, 1);
    const seqs = sub === 'replay' ? parseSeqs(args) : [];
    const cfg = configFrom(values);
    const client = await controlClient(cfg, workspaceFrom(cfg, values.ws));
    try {
      if (sub === 'list') {
        const r = await client.request(DlqList, limit === undefined ? {} : { limit });
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
  };
}
