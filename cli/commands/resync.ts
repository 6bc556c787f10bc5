// `peoplesync resync <email|salesforce-id|intercom-id>`: sync one person now (class interactive),
// whether or not an error exists for them, and (unless --no-wait) wait for the outcome: what the
// person's pairs needed (the ResyncMapped event of the request), then each write's result (the
// RecordSynced and SyncErrorRecorded events of those records).
import { type BodyOf, type Direction, RecordSynced, Resync, ResyncMapped, SyncErrorRecorded } from '../../protocol/index.ts';
import { parseResyncKey, ResyncKeyError } from '../../actors/errors/index.ts';
import { UsageError, configFrom, intOption, workspaceFrom, type Common } from '../args.ts';
import { type ControlClient, controlClient, followEvents } from '../control-client.ts';

/** A person named on the command line, refused before connecting with the shapes accepted. */
export function personKey(key: string): string {
  try {
    parseResyncKey(key);
    return key;
  } catch (err) {
    if (err instanceof ResyncKeyError) throw new UsageError(err.message);
    throw err;
  }
}

type Mapped = BodyOf<typeof ResyncMapped>;
type Side =
  | { status: 'unchanged' }
  | { status: 'updated' | 'pending'; attributes: string[] }
  | { status: 'failed'; cause: string; message: string; errorId: string };

export interface PairOutcome {
  sfObject: string;
  sfId: string;
  icId: string;
  salesforce: Side;
  intercom: Side;
  /** Attributes that could not be mapped (each a sync error of its own). */
  unmapped: Mapped['pairs'][number]['failed'];
}

export type ResyncOutcome =
  | { status: 'done'; pairs: PairOutcome[] }
  | { status: 'not_in_both'; unmatched: number; ambiguous: number }
  | { status: 'timeout'; pairs: PairOutcome[] };

const DIRECTION: Record<'salesforce' | 'intercom', Direction> = {
  salesforce: 'intercom_to_salesforce',
  intercom: 'salesforce_to_intercom',
};

/** What the events heard so far say of a request; `pending` sides wait for a write's result. Only
 * events heard since the request was sent are given, so an earlier sync's are never taken. */
export function outcomeOf(
  mapped: Mapped,
  synced: BodyOf<typeof RecordSynced>[],
  errors: BodyOf<typeof SyncErrorRecorded>[],
): PairOutcome[] {
  const side = (p: Mapped['pairs'][number], system: 'salesforce' | 'intercom'): Side => {
    const attributes = system === 'salesforce' ? p.toSalesforce : p.toIntercom;
    if (attributes.length === 0) return { status: 'unchanged' };
    const direction = DIRECTION[system];
    const ok = synced.find((s) => s.sfId === p.sfId && s.direction === direction && s.syncType === 'interactive');
    if (ok) return { status: 'updated', attributes: ok.changes.map((c) => c.attribute) };
    // An attribute that could not be mapped has a sync error of its own (in `unmapped`): it says
    // nothing of the writes of this side.
    const unmapped = new Set(p.failed.filter((f) => f.direction === direction).map((f) => f.attribute));
    const aboutWrite = (e: BodyOf<typeof SyncErrorRecorded>) => !(e.attributes.length > 0 && e.attributes.every((a) => unmapped.has(a)));
    const err = errors.find((e) => e.sfId === p.sfId && e.direction === direction && e.syncType === 'interactive' && aboutWrite(e));
    if (err) return { status: 'failed', cause: err.cause, message: err.message, errorId: err.id };
    return { status: 'pending', attributes };
  };
  return mapped.pairs.map((p) => ({
    sfObject: p.sfObject,
    sfId: p.sfId,
    icId: p.icId,
    salesforce: side(p, 'salesforce'),
    intercom: side(p, 'intercom'),
    unmapped: p.failed,
  }));
}

const settled = (pairs: PairOutcome[]) => pairs.every((p) => p.salesforce.status !== 'pending' && p.intercom.status !== 'pending');

/** Sends the resync and follows its events until every write has a result, or the time is up. */
export async function resyncAndWait(
  c: ControlClient,
  prefix: string,
  ws: string,
  key: string,
  timeoutMs: number,
): Promise<{ queued: number; requestId: string; outcome: ResyncOutcome }> {
  // Every request's answer is kept by its id: ours may come before the reply that names it.
  const mapped = new Map<string, Mapped>();
  const synced: BodyOf<typeof RecordSynced>[] = [];
  const errors: BodyOf<typeof SyncErrorRecorded>[] = [];
  let wake: () => void = () => undefined;
  // Only interactive writes can be this request's (a bulk run's may be heard by the thousand).
  const heard = (type: string, body: unknown) => {
    if (type === ResyncMapped.type) mapped.set((body as Mapped).requestId, body as Mapped);
    else if ((body as { syncType?: string }).syncType !== 'interactive') return;
    else if (type === RecordSynced.type) synced.push(body as BodyOf<typeof RecordSynced>);
    else if (type === SyncErrorRecorded.type) errors.push(body as BodyOf<typeof SyncErrorRecorded>);
    wake();
  };
  // Following before the request goes, so that no event of it is missed.
  const unfollow = followEvents(c.nc, prefix, ws, [ResyncMapped, RecordSynced, SyncErrorRecorded], heard);
  try {
    await c.nc.flush();
    const r = await c.request(Resync, { key, by: process.env.USER ?? 'cli' });
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const m = mapped.get(r.requestId);
      if (m && m.pairs.length === 0) {
        return { ...r, outcome: { status: 'not_in_both', unmatched: m.unmatched, ambiguous: m.ambiguous } };
      }
      const pairs = m ? outcomeOf(m, synced, errors) : [];
      if (m && settled(pairs)) return { ...r, outcome: { status: 'done', pairs } };
      const left = deadline - Date.now();
      if (left <= 0) return { ...r, outcome: { status: 'timeout', pairs } };
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, left);
        wake = () => {
          clearTimeout(t);
          resolve();
        };
      });
    }
  } finally {
    unfollow();
  }
}

function sideText(system: string, s: Side): string {
  switch (s.status) {
    case 'unchanged':
      return `${system}: in sync`;
    case 'updated':
      return `${system}: updated ${s.attributes.join(', ')}`;
    case 'pending':
      return `${system}: ${s.attributes.join(', ')} still being written`;
    case 'failed':
      return `${system}: failed (${s.cause}): ${s.message} [error ${s.errorId}]`;
  }
}

export function formatResync(key: string, o: ResyncOutcome, timeoutS: number): string {
  if (o.status === 'not_in_both') {
    return o.ambiguous > 0
      ? `${key} matches more than one record: nothing was synced (peoplesync errors list shows the candidates).`
      : `${key} is not a person in both Salesforce and Intercom: nothing was synced.`;
  }
  const lines = o.pairs.map((p) => {
    const unmapped = p.unmapped.length
      ? `; not mapped: ${p.unmapped.map((f) => `${f.attribute} (${f.direction === 'intercom_to_salesforce' ? 'to Salesforce' : 'to Intercom'})`).join(', ')} (sync errors say why)`
      : '';
    return `${p.sfObject} ${p.sfId} / Intercom ${p.icId}: ${sideText('Salesforce', p.salesforce)}; ${sideText('Intercom', p.intercom)}${unmapped}`;
  });
  if (o.status === 'timeout') {
    lines.push(
      o.pairs.length
        ? `No result within ${timeoutS} s for what is still being written (peoplesync history ${key} shows it later).`
        : `No answer within ${timeoutS} s: the resync is still queued (peoplesync history ${key} shows it later).`,
    );
  }
  return lines.join('\n');
}

/** Whether the person is in sync now, as the resync left them. */
export function succeeded(o: ResyncOutcome): boolean {
  return (
    o.status === 'done' &&
    o.pairs.every((p) => p.salesforce.status !== 'failed' && p.intercom.status !== 'failed' && p.unmapped.length === 0)
  );
}

export async function runResync(values: Common & { wait?: boolean; timeout?: string }, [person]: string[]): Promise<number> {
  const key = personKey(person);
  const timeoutS = intOption('timeout', values.timeout ?? '60', 1, 3_600);
  const cfg = configFrom(values);
  const ws = workspaceFrom(cfg, values.ws);
  const client = await controlClient(cfg, ws);
  const out = (s: string) => process.stdout.write(s + '\n');
  try {
    const queued = `Queued a resync of ${key} (class interactive).`;
    if (values.wait === false) {
      const r = await client.request(Resync, { key, by: process.env.USER ?? 'cli' });
      out(values.json ? JSON.stringify(r) : queued);
      return 0;
    }
    const r = await resyncAndWait(client, cfg.prefix, ws, key, timeoutS * 1_000);
    out(values.json ? JSON.stringify(r, null, 2) : `${queued}\n${formatResync(key, r.outcome, timeoutS)}`);
    return succeeded(r.outcome) ? 0 : 1;
  } finally {
    await client.close();
  }
}
