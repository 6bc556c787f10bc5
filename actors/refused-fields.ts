// A Salesforce field that is gone (deleted after the settings were saved) or whose type no longer
// takes the values sent: Salesforce refuses the whole call naming it, a query that selects it or an
// update that writes it. The call goes again without that field (left out of every record of the
// object), and the field is reported once, as a sync error about the mapping rather than a record.
// The refusal is remembered for a while per client, so later calls leave the field out without
// spending a call to learn it again; after that it is tried again (it may be back).
import { FieldRefusedError, type SalesforceClient, type SfRecordResult, type SfRecordUpdate } from '../connectors/index.ts';
import { ReportSyncError, refusedFieldCause } from '../protocol/index.ts';
import type { HandlerContext } from '../runtime/index.ts';
import type { Uses } from './services.ts';

/** A field Salesforce refused for a whole call, and how many of the call's records carried it. */
export interface Refusal {
  object: string;
  field: string;
  code: string;
  message: string;
  records: number;
}

/** One update's outcome, with the fields left out of it because Salesforce refuses them. A record
 * that had nothing else to write was not sent: success false, no errors of its own. */
export type WriteResult = SfRecordResult & { dropped: string[] };

/** At most this many different fields are left out of one call before the call is given up. */
const MAX_REFUSED_FIELDS = 10;
/** Fields every read needs: were one of these refused, leaving it out would not help. */
const REQUIRED = new Set(['id', 'email', 'systemmodstamp', 'isconverted']);

export class RefusedFields {
  private readonly until = new Map<string, number>();
  /** Moves at every refusal and every other sign that the org's schema changed (a picklist
   * value or a length refused): a describe fetched before it is stale. */
  private generation = 0;

  constructor(
    private readonly ttlMs = 60_000,
    private readonly now: () => number = Date.now,
  ) {}

  private key(object: string, field: string): string {
    return `${object}.${field}`.toLowerCase();
  }

  has(object: string, field: string): boolean {
    const until = this.until.get(this.key(object, field));
    if (until === undefined) return false;
    if (until > this.now()) return true;
    this.until.delete(this.key(object, field));
    return false;
  }

  add(object: string, field: string): void {
    this.until.set(this.key(object, field), this.now() + this.ttlMs);
    this.generation += 1;
  }

  /** Salesforce refused a value for a reason its describe should have told (a restricted
   * picklist's values, a field's length or writability changed since it was read). */
  schemaChanged(): void {
    this.generation += 1;
  }

  /** Compared with the one a describe was fetched at: different, and the describe is stale. */
  get schemaGeneration(): number {
    return this.generation;
  }
}

const byClient = new WeakMap<SalesforceClient, RefusedFields>();

/** The refusals one client (one workspace in one worker) has met lately, reads and writes alike. */
export function refusedFor(sf: SalesforceClient): RefusedFields {
  let r = byClient.get(sf);
  if (!r) byClient.set(sf, (r = new RefusedFields()));
  return r;
}

export interface Plan {
  /** What to send: the updates that still have a field, without the refused ones. */
  sendable: SfRecordUpdate[];
  /** For each update: its place in `sendable`, or -1 when nothing of it is left to send. */
  at: number[];
  /** For each update: the fields left out. */
  dropped: string[][];
}

/** The updates without the fields `refused` names. Pure. */
export function withoutRefused(updates: readonly SfRecordUpdate[], refused: (object: string, field: string) => boolean): Plan {
  const plan: Plan = { sendable: [], at: [], dropped: [] };
  for (const u of updates) {
    const kept: Record<string, unknown> = {};
    const dropped: string[] = [];
    for (const [field, value] of Object.entries(u.fields)) {
      if (refused(u.type, field)) dropped.push(field);
      else kept[field] = value;
    }
    plan.dropped.push(dropped);
    if (Object.keys(kept).length === 0) {
      plan.at.push(-1);
      continue;
    }
    plan.at.push(plan.sendable.length);
    plan.sendable.push(dropped.length ? { ...u, fields: kept } : u);
  }
  return plan;
}

/** Whether a refusal is one to leave out and go on: a new one, not of a field the call needs. */
function leaveOut(err: unknown, refused: RefusedFields, round: number): err is FieldRefusedError {
  return (
    err instanceof FieldRefusedError &&
    round < MAX_REFUSED_FIELDS &&
    !refused.has(err.object, err.field) &&
    !REQUIRED.has(err.field.toLowerCase())
  );
}

/**
 * Sends the updates through `send` (one call each time), leaving out the fields Salesforce
 * refuses; `onRefused` hears of each field refused by a call this makes, before the call is sent
 * again. One result per update, in order.
 */
export async function updateWithoutRefused(
  updates: readonly SfRecordUpdate[],
  send: (updates: SfRecordUpdate[]) => Promise<SfRecordResult[]>,
  refused: RefusedFields,
  onRefused: (r: Refusal) => Promise<void>,
): Promise<WriteResult[]> {
  for (let round = 0; ; round++) {
    const plan = withoutRefused(updates, (o, f) => refused.has(o, f));
    let results: SfRecordResult[] = [];
    if (plan.sendable.length) {
      try {
        results = await send(plan.sendable);
      } catch (err) {
        if (!leaveOut(err, refused, round)) throw err;
        refused.add(err.object, err.field);
        const records = plan.sendable.filter((u) => u.type === err.object && err.field in u.fields).length;
        await onRefused({ object: err.object, field: err.field, code: err.code, message: err.message, records });
        continue;
      }
    }
    return updates.map((u, i) => {
      const at = plan.at[i];
      const result = at >= 0 ? results[at] : { id: u.id, success: false, errors: [] };
      return { ...result, dropped: plan.dropped[i] };
    });
  }
}

/** Reads with `fields` of `object` through `read` (one query each time), leaving out the fields
 * Salesforce refuses; records come back without them. */
export function readWithoutRefused<T>(
  object: string,
  fields: readonly string[],
  read: (fields: string[]) => Promise<T>,
  refused: RefusedFields,
  onRefused: (r: Refusal) => Promise<void>,
): Promise<T> {
  return readAllWithoutRefused({ [object]: fields }, (kept) => read(kept[object]), refused, onRefused);
}

/** The same for one call reading several objects (a composite): each object with its fields. */
export async function readAllWithoutRefused<T>(
  fieldsOf: Readonly<Record<string, readonly string[]>>,
  read: (fields: Record<string, string[]>) => Promise<T>,
  refused: RefusedFields,
  onRefused: (r: Refusal) => Promise<void>,
): Promise<T> {
  const objects = new Map(Object.keys(fieldsOf).map((o) => [o.toLowerCase(), o]));
  for (let round = 0; ; round++) {
    const kept = Object.fromEntries(Object.entries(fieldsOf).map(([o, fields]) => [o, fields.filter((f) => !refused.has(o, f))]));
    try {
      return await read(kept);
    } catch (err) {
      const object = leaveOut(err, refused, round) ? objects.get(err.object.toLowerCase()) : undefined;
      if (!object) throw err;
      const e = err as FieldRefusedError;
      refused.add(e.object, e.field);
      await onRefused({ object, field: e.field, code: e.code, message: e.message, records: 0 });
    }
  }
}

/** The sync error of a refused field: about the mapping, no record. One identity whichever call
 * met it, so the errors list holds it once. */
export function refusedFieldError(r: Refusal) {
  return {
    direction: 'intercom_to_salesforce' as const,
    sfObject: r.object === 'Lead' || r.object === 'Contact' ? (r.object as 'Lead' | 'Contact') : null,
    sfId: null,
    icId: null,
    attributes: [r.field],
    cause: refusedFieldCause(r.code),
    message:
      `Salesforce refused every call naming ${r.object}.${r.field} (${r.code}): the field is left out of reads ` +
      'and updates, the other fields still sync. Restore the field in Salesforce or change the mapping.',
    details: { statusCode: r.code, message: r.message, object: r.object, field: r.field, records: r.records },
  };
}

/** Reports a refusal the handler's call met, once (message id per item's run or class and minute). */
export function reportRefused(ctx: HandlerContext<Uses<'now'>>, r: Refusal): Promise<void> {
  const at = ctx.deps.now();
  return ctx
    .publish(
      ReportSyncError,
      { syncType: ctx.cls, ...refusedFieldError(r), run: ctx.run, at },
      { msgId: `sfrefused:${ctx.run ?? ctx.cls}:${r.object}.${r.field}:${Math.floor(at / 60_000)}` },
    )
    .then(() => undefined);
}
