// A Salesforce update call refused whole because of one field (a field deleted in Salesforce
// after the settings were saved, a value its type no longer takes) is sent again without that
// field, left out of every record of the object; records whose only change it was are not sent.
// The refusal is remembered for a while per client, so later calls leave the field out without
// spending a call to learn it again, and each refusal is reported once, by the call that met it.
import { FieldRefusedError, type SfRecordResult, type SfRecordUpdate } from '../../connectors/index.ts';

/** A field Salesforce refused for the whole call, and how many of the call's records carried it. */
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

export class RefusedFields {
  private readonly until = new Map<string, number>();

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
  }
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
        // The same field refused again although it was left out is not one this can leave out.
        if (!(err instanceof FieldRefusedError) || round >= MAX_REFUSED_FIELDS || refused.has(err.object, err.field)) throw err;
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
