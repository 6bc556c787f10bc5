// What a write item has written, record by record, in the writes bucket (protocol/records.ts).
// A redelivered item (its worker was killed, or a call it shared with other items failed) redoes
// only the records not recorded, and its follow-ups come from the record: a record is never
// written twice, and no API call is spent on what a call already did. Writes to the bucket go one
// at a time, each with everything known so far.
import { createHash } from 'node:crypto';
import { type WriteRecord, WriteRecordSchema, kvValue } from '../../protocol/index.ts';
import type { HandlerContext, TypedKv } from '../../runtime/index.ts';

/** A record's outcome; `dropped` names fields left out of a record written (refused by the service). */
export type Outcome = { ok: true; dropped?: string[] } | { ok: false; error: Record<string, unknown> };

interface ItemRef {
  run?: string;
  batchId: string;
  part: number;
}

/** `<ws>.<run or class>.<sf|ic>.<hash of batch and part>`. */
export function writeRecordKey(ws: string, scope: string, system: WriteRecord['system'], item: ItemRef): string {
  const hash = createHash('sha1').update(`${item.batchId}\n${item.part}`).digest('base64url');
  return `${ws}.${scope}.${system === 'salesforce' ? 'sf' : 'ic'}.${hash}`;
}

export class ItemOutcomes {
  private readonly known = new Map<string, Outcome>();
  private readonly sent = new Set<string>();
  private writing: Promise<void> | null = null;
  private dirty = false;
  private readonly kv: TypedKv;
  private readonly key: string;
  private readonly base: Omit<WriteRecord, 'written' | 'failed' | 'dropped' | 'sent'>;

  private constructor(kv: TypedKv, key: string, base: Omit<WriteRecord, 'written' | 'failed' | 'dropped' | 'sent'>) {
    this.kv = kv;
    this.key = key;
    this.base = base;
  }

  static async load(ctx: HandlerContext, system: WriteRecord['system'], item: ItemRef): Promise<ItemOutcomes> {
    const kv = await ctx.kv('writes');
    const o = new ItemOutcomes(kv, writeRecordKey(ctx.ws, item.run ?? ctx.cls, system, item), {
      system,
      run: item.run ?? null,
      batchId: item.batchId,
      part: item.part,
    });
    const stored = kvValue(WriteRecordSchema, (await kv.getRaw(o.key))?.value);
    if (stored) {
      for (const id of stored.written) {
        const dropped = stored.dropped[id];
        o.known.set(id, dropped ? { ok: true, dropped } : { ok: true });
      }
      for (const f of stored.failed) o.known.set(f.id, { ok: false, error: f.error });
      for (const id of stored.sent) o.sent.add(id);
    }
    return o;
  }

  get(id: string): Outcome | undefined {
    return this.known.get(id);
  }

  get size(): number {
    return this.known.size;
  }

  /** Records about to go in a call, stored before it goes (what a lost worker leaves in doubt). */
  async sending(ids: readonly string[]): Promise<void> {
    for (const id of ids) this.sent.add(id);
    this.dirty = true;
    await this.flush();
  }

  /** A record its call left out (its run ended first): never sent, so not in doubt either. */
  withdraw(id: string): void {
    if (this.sent.delete(id)) this.dirty = true;
  }

  add(id: string, outcome: Outcome): void {
    this.known.set(id, outcome);
    this.dirty = true;
  }

  /** Stores what is known now; resolves once a write holding every earlier `add` is done. */
  async flush(): Promise<void> {
    while (this.writing) await this.writing;
    if (!this.dirty) return;
    this.dirty = false;
    this.writing = this.kv.put(this.key, this.record()).then(
      () => undefined,
      (err: unknown) => {
        this.dirty = true;
        throw err;
      },
    );
    try {
      await this.writing;
    } finally {
      this.writing = null;
    }
  }

  /** A flush now if none is running; the next `flush()` picks up what comes meanwhile. */
  flushSoon(): void {
    if (!this.writing) this.flush().catch(() => undefined);
  }

  private record(): WriteRecord {
    const written: string[] = [];
    const failed: WriteRecord['failed'] = [];
    const dropped: WriteRecord['dropped'] = {};
    for (const [id, o] of this.known) {
      if (!o.ok) failed.push({ id, error: o.error });
      else {
        written.push(id);
        if (o.dropped) dropped[id] = o.dropped;
      }
    }
    return { ...this.base, written, failed, dropped, sent: [...this.sent] };
  }
}
