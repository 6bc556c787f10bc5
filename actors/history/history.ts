// A person's history, from the writer's record.synced.v1 audit events: which subjects hold the
// person's events, and the events as one list of attribute changes, newest first. Pure.
import { type HistoryEntry, RecordSynced, RecordSyncedSchema, subjectToken } from '../../protocol/index.ts';

export interface PersonIds {
  sfIds: string[];
  icIds: string[];
}

/** Topic filters of the person's audit events: record.synced.<sfId>.<icId> by either side. */
export function personTopics(p: PersonIds): string[] {
  return [
    ...p.sfIds.map((id) => `${RecordSynced.topic}.${subjectToken(id)}.*`),
    ...p.icIds.map((id) => `${RecordSynced.topic}.*.${subjectToken(id)}`),
  ];
}

export interface History extends PersonIds {
  changes: HistoryEntry[];
  truncated: boolean;
}

/** One entry per attribute changed, newest first (stream order breaks ties), at most `limit`. The
 * records named are those asked for plus those the events paired them with. */
export function historyOf(events: { seq: number; body: unknown }[], asked: PersonIds, limit: number): History {
  const sfIds = new Set(asked.sfIds);
  const icIds = new Set(asked.icIds);
  const all: { seq: number; entry: HistoryEntry }[] = [];
  for (const e of events) {
    const parsed = RecordSyncedSchema.safeParse(e.body);
    if (!parsed.success) continue;
    const b = parsed.data;
    sfIds.add(b.sfId);
    icIds.add(b.icId);
    for (const c of b.changes) {
      all.push({
        seq: e.seq,
        entry: {
          at: b.at,
          direction: c.direction,
          attribute: c.attribute,
          from: c.from,
          to: c.to,
          syncType: b.syncType,
          run: b.run ?? null,
          sfObject: b.sfObject,
          sfId: b.sfId,
          icId: b.icId,
          settingsRevision: b.settingsRevision,
        },
      });
    }
  }
  all.sort((a, b) => b.entry.at - a.entry.at || b.seq - a.seq);
  return {
    sfIds: [...sfIds],
    icIds: [...icIds],
    changes: all.slice(0, limit).map((x) => x.entry),
    truncated: all.length > limit,
  };
}
