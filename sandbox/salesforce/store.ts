// The sandbox org's records. Per object: an Id-sorted array (keyset pages by Id are a binary
// search, not a scan) and a modification log ordered by (SystemModstamp, Id) for change polling.
// SystemModstamp has whole seconds, as on the platform: writes within one second share a stamp,
// so an incremental reader must order and resume by (SystemModstamp, Id).

import type { SObjectName, SObjectRecord } from './wire.ts';
import { makeSfId, objectOfId, restoreCase, seqOfId, toId18 } from '../sf-ids.ts';
import { formatSfDateTime, parseSfDateTime, type SfSchema } from '../sf-schema.ts';

interface LogEntry {
  stamp: string;
  id: string;
}

interface Table {
  ids: string[];
  byId: Map<string, SObjectRecord>;
  sorted: boolean;
  /** (stamp, id) ascending; an entry is stale once its record has a newer stamp. */
  log: LogEntry[];
  stale: number;
  deleted: Set<string>;
  nextSeq: number;
}

function emptyTable(): Table {
  return { ids: [], byId: new Map(), sorted: true, log: [], stale: 0, deleted: new Set(), nextSeq: 1 };
}

/** First index whose element is not less than `key` (or greater than, when `after`). */
export function lowerBound<T>(items: readonly T[], key: string, get: (t: T) => string, after = false): number {
  let lo = 0;
  let hi = items.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    const v = get(items[mid]);
    if (v < key || (after && v === key)) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

const compareLog = (a: LogEntry, b: LogEntry): number =>
  a.stamp < b.stamp ? -1 : a.stamp > b.stamp ? 1 : a.id < b.id ? -1 : a.id > b.id ? 1 : 0;

/** Inserts an entry in (stamp, id) order: stamps never go back, so the place is near the end.
 * False when the entry is there already (a second write to a record within one second). */
function logInsert(t: Table, e: LogEntry): boolean {
  let at = t.log.length;
  while (at > 0 && compareLog(t.log[at - 1], e) > 0) at--;
  if (at > 0 && compareLog(t.log[at - 1], e) === 0) return false;
  t.log.splice(at, 0, e);
  return true;
}

/** Who made a change: the API (the integration's session) or a person in the UI (or a load). */
export type Committer = 'api' | 'user';

/** One record created, changed or deleted, as a change event reports it. */
export interface StoreChange {
  object: SObjectName;
  id: string;
  changeType: 'CREATE' | 'UPDATE' | 'DELETE';
  /** The values set (none for a delete). */
  values: Record<string, unknown>;
  stamp: string;
  by: Committer;
}

export class RecordStore {
  /** Told of every change after it is made (the org's change events). */
  onChange: ((c: StoreChange) => void) | null = null;
  private tables: Record<SObjectName, Table> = { Lead: emptyTable(), Contact: emptyTable() };
  private lastStampMs = 0;
  private templates: { version: number; byObject: Partial<Record<SObjectName, SObjectRecord>> } = { version: -1, byObject: {} };

  constructor(
    private readonly now: () => number,
    private readonly schema: SfSchema,
  ) {}

  /** A record with every field of the object null (booleans false), rebuilt when the schema changes. */
  private template(object: SObjectName): SObjectRecord {
    if (this.templates.version !== this.schema.version) this.templates = { version: this.schema.version, byObject: {} };
    let t = this.templates.byObject[object];
    if (!t) {
      t = Object.fromEntries(this.schema.list(object).map((f) => [f.name, f.type === 'boolean' ? false : null])) as SObjectRecord;
      this.templates.byObject[object] = t;
    }
    return t;
  }

  clear(): void {
    this.tables = { Lead: emptyTable(), Contact: emptyTable() };
    this.lastStampMs = 0;
  }

  /** Adds a record as it is (seeding/loading); call finishLoad() after a batch of inserts. */
  insert(object: SObjectName, record: SObjectRecord): void {
    const t = this.tables[object];
    const full = this.complete(object, record);
    if (!t.byId.has(full.Id)) t.ids.push(full.Id);
    t.byId.set(full.Id, full);
    t.sorted = false;
    const seq = seqOfId(full.Id);
    if (seq >= t.nextSeq) t.nextSeq = seq + 1;
    const stamp = parseSfDateTime(String(full.SystemModstamp));
    if (stamp > this.lastStampMs) this.lastStampMs = stamp;
  }

  /** Sorts ids and rebuilds the modification log after inserts. */
  finishLoad(): void {
    for (const t of Object.values(this.tables)) {
      if (t.sorted) continue;
      t.ids.sort();
      t.log = t.ids.map((id) => ({ stamp: String(t.byId.get(id)?.SystemModstamp), id }));
      t.log.sort(compareLog);
      t.stale = 0;
      t.sorted = true;
    }
  }

  /** Every field of the describe present, null where absent, so queries see uniform rows. */
  private complete(object: SObjectName, record: SObjectRecord): SObjectRecord {
    if (typeof record.Id !== 'string' || objectOfId(record.Id) !== object) {
      throw new Error(`record Id ${String(record.Id)} is not a ${object} Id`);
    }
    // A clone of a template keeps V8's compact object layout; adding 20+ properties one by one
    // by computed name would switch each record to dictionary mode, at about 5x the memory.
    const out: SObjectRecord = { ...this.template(object) };
    out.Id = record.Id;
    const fallback = formatSfDateTime(this.wholeSecond(this.now()));
    for (const f of this.schema.list(object)) {
      const v = record[f.name];
      if (v !== undefined && v !== null) out[f.name] = v;
    }
    out.CreatedDate ??= fallback;
    out.SystemModstamp ??= (out.LastModifiedDate as string | null) ?? (out.CreatedDate as string);
    out.LastModifiedDate ??= out.SystemModstamp;
    return out;
  }

  private wholeSecond(ms: number): number {
    return Math.floor(ms / 1000) * 1000;
  }

  /** The stamp of a write now: whole seconds, never earlier than the last write's. */
  tick(): string {
    this.lastStampMs = Math.max(this.wholeSecond(this.now()), this.lastStampMs);
    return formatSfDateTime(this.lastStampMs);
  }

  /** The record of a 15- or 18-character Id (any case of the 18-character form). */
  get(id: string): { object: SObjectName; record: SObjectRecord } | undefined {
    const object = objectOfId(id);
    if (!object) return undefined;
    const t = this.tables[object];
    const record = t.byId.get(id) ?? t.byId.get(toId18(id) ?? '') ?? t.byId.get(restoreCase(id) ?? '');
    return record ? { object, record } : undefined;
  }

  /** The stored form of an Id the caller gave in either form; undefined when it names no record. */
  canonicalId(id: string): string | undefined {
    return this.get(id)?.record.Id;
  }

  isDeleted(id: string): boolean {
    const object = objectOfId(id);
    if (!object) return false;
    const t = this.tables[object];
    return t.deleted.has(id) || t.deleted.has(toId18(id) ?? '');
  }

  count(object: SObjectName): number {
    return this.tables[object].byId.size;
  }

  /** Applies field changes to records as one transaction: they all get one stamp. Ids must be
   * the stored ones (canonicalId). */
  write(changes: ReadonlyArray<{ id: string; values: Record<string, unknown> }>, by: Committer = 'user'): string {
    const stamp = this.tick();
    const merged = new Map<string, Record<string, unknown>>();
    for (const c of changes) merged.set(c.id, { ...merged.get(c.id), ...c.values });
    const sorted = [...merged].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    for (const [id, values] of sorted) {
      const found = this.get(id);
      if (!found) throw new Error(`no record ${id}`);
      Object.assign(found.record, values, { LastModifiedDate: stamp, SystemModstamp: stamp });
      if (logInsert(this.tables[found.object], { stamp, id: found.record.Id })) this.tables[found.object].stale++;
      this.onChange?.({ object: found.object, id: found.record.Id, changeType: 'UPDATE', values, stamp, by });
    }
    for (const t of Object.values(this.tables)) this.compact(t);
    return stamp;
  }

  private compact(t: Table): void {
    if (t.stale <= t.byId.size) return;
    t.log = t.log.filter((e) => t.byId.get(e.id)?.SystemModstamp === e.stamp);
    t.stale = 0;
  }

  /** An Id no record of the object has or had. */
  nextId(object: SObjectName): string {
    const t = this.tables[object];
    let id = makeSfId(object, t.nextSeq++);
    while (t.byId.has(id) || t.deleted.has(id)) id = makeSfId(object, t.nextSeq++);
    return id;
  }

  create(object: SObjectName, values: Record<string, unknown>, by: Committer = 'user'): SObjectRecord {
    const t = this.tables[object];
    const id = this.nextId(object);
    const stamp = this.tick();
    const record = this.complete(object, { ...values, Id: id, CreatedDate: stamp, LastModifiedDate: stamp, SystemModstamp: stamp });
    t.byId.set(id, record);
    t.ids.splice(
      lowerBound(t.ids, id, (x) => x),
      0,
      id,
    );
    logInsert(t, { stamp, id });
    this.onChange?.({ object, id, changeType: 'CREATE', values: { ...record }, stamp, by });
    return record;
  }

  delete(id: string, by: Committer = 'user'): boolean {
    const found = this.get(id);
    if (!found) return false;
    this.onChange?.({ object: found.object, id, changeType: 'DELETE', values: {}, stamp: this.tick(), by });
    const t = this.tables[found.object];
    t.byId.delete(id);
    t.deleted.add(id);
    const at = lowerBound(t.ids, id, (x) => x);
    if (t.ids[at] === id) t.ids.splice(at, 1);
    t.stale++;
    return true;
  }

  /** Records in Id order, from the first Id greater than (or equal to) `from`. */
  *byIdFrom(object: SObjectName, from?: { id: string; inclusive: boolean }): Generator<SObjectRecord> {
    const t = this.tables[object];
    let i = from ? lowerBound(t.ids, from.id, (x) => x, !from.inclusive) : 0;
    for (; i < t.ids.length; i++) {
      const r = t.byId.get(t.ids[i]);
      if (r) yield r;
    }
  }

  /** Live records in (SystemModstamp, Id) order, from the first stamp not below `fromStamp`. */
  *byModstampFrom(object: SObjectName, fromStamp?: string): Generator<SObjectRecord> {
    const t = this.tables[object];
    let i = fromStamp ? lowerBound(t.log, fromStamp, (e) => e.stamp) : 0;
    for (; i < t.log.length; i++) {
      const e = t.log[i];
      const r = t.byId.get(e.id);
      if (r && r.SystemModstamp === e.stamp) yield r;
    }
  }

  *all(object: SObjectName): Generator<SObjectRecord> {
    yield* this.byIdFrom(object);
  }
}
