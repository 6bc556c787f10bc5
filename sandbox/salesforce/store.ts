// The sandbox org's records. Per object: an Id-sorted array (keyset pages by Id are a binary
// search, not a scan) and a modification log ordered by (SystemModstamp, Id) for change polling.

import type { SfObject, SfRecord } from '../../connectors/types.ts';
import { formatSfDateTime, makeSfId, objectOfId, parseSfDateTime, SF_FIELDS } from '../sf-schema.ts';

interface LogEntry {
  stamp: string;
  id: string;
}

interface Table {
  ids: string[];
  byId: Map<string, SfRecord>;
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

const TEMPLATES: Record<SfObject, SfRecord> = {
  Lead: Object.fromEntries(SF_FIELDS.Lead.map((f) => [f.name, null])) as SfRecord,
  Contact: Object.fromEntries(SF_FIELDS.Contact.map((f) => [f.name, null])) as SfRecord,
};

const compareLog = (a: LogEntry, b: LogEntry): number =>
  a.stamp < b.stamp ? -1 : a.stamp > b.stamp ? 1 : a.id < b.id ? -1 : a.id > b.id ? 1 : 0;

export class RecordStore {
  private tables: Record<SfObject, Table> = { Lead: emptyTable(), Contact: emptyTable() };
  private lastStampMs = 0;

  constructor(private readonly now: () => number) {}

  clear(): void {
    this.tables = { Lead: emptyTable(), Contact: emptyTable() };
    this.lastStampMs = 0;
  }

  /** Adds a record as it is (seeding/loading); call finishLoad() after a batch of inserts. */
  insert(object: SfObject, record: SfRecord): void {
    const t = this.tables[object];
    const full = this.complete(object, record);
    if (!t.byId.has(full.Id)) t.ids.push(full.Id);
    t.byId.set(full.Id, full);
    t.sorted = false;
    const seq = parseSeq(full.Id);
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
  private complete(object: SfObject, record: SfRecord): SfRecord {
    if (typeof record.Id !== 'string' || objectOfId(record.Id) !== object) {
      throw new Error(`record Id ${String(record.Id)} is not a ${object} Id`);
    }
    // A clone of a template keeps V8's compact object layout; adding 20+ properties one by one
    // by computed name would switch each record to dictionary mode, at about 5x the memory.
    const out: SfRecord = { ...TEMPLATES[object] };
    out.Id = record.Id;
    const fallback = formatSfDateTime(this.now());
    for (const f of SF_FIELDS[object]) {
      const v = record[f.name];
      out[f.name] = v === undefined ? null : v;
    }
    out.CreatedDate ??= fallback;
    out.SystemModstamp ??= (out.LastModifiedDate as string | null) ?? (out.CreatedDate as string);
    out.LastModifiedDate ??= out.SystemModstamp;
    out.HasOptedOutOfEmail ??= false;
    return out;
  }

  /** A strictly increasing write time: Salesforce's clock never gives two writes one stamp. */
  tick(): string {
    this.lastStampMs = Math.max(this.now(), this.lastStampMs + 1);
    return formatSfDateTime(this.lastStampMs);
  }

  get(id: string): { object: SfObject; record: SfRecord } | undefined {
    const object = objectOfId(id);
    const record = object && this.tables[object].byId.get(id);
    return object && record ? { object, record } : undefined;
  }

  isDeleted(id: string): boolean {
    const object = objectOfId(id);
    return object !== undefined && this.tables[object].deleted.has(id);
  }

  count(object: SfObject): number {
    return this.tables[object].byId.size;
  }

  /** Applies field changes to records as one transaction: they all get one new stamp. */
  write(changes: ReadonlyArray<{ id: string; values: Record<string, unknown> }>): string {
    const stamp = this.tick();
    const merged = new Map<string, Record<string, unknown>>();
    for (const c of changes) merged.set(c.id, { ...merged.get(c.id), ...c.values });
    const sorted = [...merged].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    for (const [id, values] of sorted) {
      const found = this.get(id);
      if (!found) throw new Error(`no record ${id}`);
      Object.assign(found.record, values, { LastModifiedDate: stamp, SystemModstamp: stamp });
      const t = this.tables[found.object];
      t.log.push({ stamp, id });
      t.stale++;
    }
    for (const t of Object.values(this.tables)) this.compact(t);
    return stamp;
  }

  private compact(t: Table): void {
    if (t.stale <= t.byId.size) return;
    t.log = t.log.filter((e) => t.byId.get(e.id)?.SystemModstamp === e.stamp);
    t.stale = 0;
  }

  create(object: SfObject, values: Record<string, unknown>): SfRecord {
    const t = this.tables[object];
    let id = makeSfId(object, t.nextSeq++);
    while (t.byId.has(id) || t.deleted.has(id)) id = makeSfId(object, t.nextSeq++);
    const stamp = this.tick();
    const record = this.complete(object, { ...values, Id: id, CreatedDate: stamp, LastModifiedDate: stamp, SystemModstamp: stamp });
    t.byId.set(id, record);
    t.ids.splice(
      lowerBound(t.ids, id, (x) => x),
      0,
      id,
    );
    t.log.push({ stamp, id });
    return record;
  }

  delete(id: string): boolean {
    const found = this.get(id);
    if (!found) return false;
    const t = this.tables[found.object];
    t.byId.delete(id);
    t.deleted.add(id);
    const at = lowerBound(t.ids, id, (x) => x);
    if (t.ids[at] === id) t.ids.splice(at, 1);
    t.stale++;
    return true;
  }

  /** Records in Id order, from the first Id greater than (or equal to) `from`. */
  *byIdFrom(object: SfObject, from?: { id: string; inclusive: boolean }): Generator<SfRecord> {
    const t = this.tables[object];
    let i = from ? lowerBound(t.ids, from.id, (x) => x, !from.inclusive) : 0;
    for (; i < t.ids.length; i++) {
      const r = t.byId.get(t.ids[i]);
      if (r) yield r;
    }
  }

  /** Live records in (SystemModstamp, Id) order, from the first stamp not below `fromStamp`. */
  *byModstampFrom(object: SfObject, fromStamp?: string): Generator<SfRecord> {
    const t = this.tables[object];
    let i = fromStamp ? lowerBound(t.log, fromStamp, (e) => e.stamp) : 0;
    for (; i < t.log.length; i++) {
      const e = t.log[i];
      const r = t.byId.get(e.id);
      if (r && r.SystemModstamp === e.stamp) yield r;
    }
  }

  *all(object: SfObject): Generator<SfRecord> {
    yield* this.byIdFrom(object);
  }
}

/** The creation sequence encoded in an Id made by makeSfId; 0 for foreign Ids. */
function parseSeq(id: string): number {
  const core = id.slice(3, 15);
  return /^[0-9A-Z]+$/.test(core) ? parseInt(core, 36) : 0;
}
