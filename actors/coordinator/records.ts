// The records of a run that outlive its coordinator: every report is put in the reports bucket
// (key `<ws>.<run>.<hash of the report key>`, created once) before it is counted, and the writers
// record each write item (protocol/records.ts). A coordinator on any host, with its own data
// directory, adds them up (recount.ts) for a run whose coordinator died, and again for late reports
// of any run that ended before its work in flight did.
import { createHash } from 'node:crypto';
import { ReportSchema, type WriteRecord, WriteRecordSchema, kvValue, runWritesFilter } from '../../protocol/index.ts';
import { type ActorContext, KvConflictError } from '../../runtime/index.ts';
import { type Recount, recount } from './recount.ts';
import { type Report, reportKey } from './tally.ts';

const KINDS: ReadonlySet<string> = new Set(['indexed', 'scanned', 'mapped', 'written']);

function ledgerKey(ws: string, run: string, r: Report): string {
  return `${ws}.${run}.${createHash('sha1').update(reportKey(r)).digest('base64url')}`;
}

export class RunRecords {
  private readonly ctx: ActorContext;

  constructor(ctx: ActorContext) {
    this.ctx = ctx;
  }

  /** Keeps the report (a redelivered one is there already). */
  async keep(r: Report): Promise<void> {
    const kv = await this.ctx.kv('reports');
    try {
      await kv.create(ledgerKey(this.ctx.ws, r.body.run, r), r);
    } catch (err) {
      if (!(err instanceof KvConflictError)) throw err;
    }
  }

  /** The run's counts from every report kept and every write recorded. */
  async recount(run: string): Promise<Recount> {
    const reports: Report[] = [];
    for await (const { value } of (await this.ctx.kv('reports')).list(`${this.ctx.ws}.${run}.*`)) {
      // A report not of its schema is left out, as one never kept.
      const r = kvValue(ReportSchema, value);
      if (r && KINDS.has(r.kind) && r.body.run === run) reports.push(r);
    }
    const writes: WriteRecord[] = [];
    for await (const { value } of (await this.ctx.kv('writes')).list(runWritesFilter(this.ctx.ws, run))) {
      const w = kvValue(WriteRecordSchema, value);
      if (w?.run === run) writes.push(w);
    }
    return recount(reports, writes);
  }

  /** A completed run's records are not needed any more. */
  async drop(run: string): Promise<void> {
    await (await this.ctx.kv('reports')).purge(`${this.ctx.ws}.${run}.>`);
    await (await this.ctx.kv('writes')).purge(runWritesFilter(this.ctx.ws, run));
  }
}
