// Reading facts back from the events stream by subject. An event type whose subject carries a key
// (record.synced.<sfId>.<icId>) is read for one key without scanning the stream: the server's
// subject index names the subjects a filter matches, and each of their messages is fetched by
// subject ("next message on this subject from sequence n"), so the cost follows the key's own
// events, not the stream's size.
import type { JetStreamManager, NatsConnection } from 'nats';
import { Headers, decodeMessage, subject } from '../protocol/index.ts';

export interface LoggedEvent {
  seq: number;
  subject: string;
  type: string;
  body: unknown;
}

export interface EventLog {
  /** Events of `ws` on topics matching any of `topicFilters` (NATS wildcards), oldest first.
   * Messages that do not decode are left out. */
  read(ws: string, topicFilters: string[]): Promise<LoggedEvent[]>;
}

export class EventLogReader implements EventLog {
  private readonly nc: NatsConnection;
  private readonly prefix: string;
  private readonly stream: string;

  constructor(nc: NatsConnection, prefix: string, stream: string) {
    this.nc = nc;
    this.prefix = prefix;
    this.stream = stream;
  }

  async read(ws: string, topicFilters: string[]): Promise<LoggedEvent[]> {
    const jsm = await this.nc.jetstreamManager();
    const subjects = new Set<string>();
    for (const topic of topicFilters) {
      const filter = subject(this.prefix, { kind: 'evt', ws, topic });
      const info = await jsm.streams.info(this.stream, { subjects_filter: filter });
      for (const s of Object.keys(info.state.subjects ?? {})) subjects.add(s);
    }
    const out: LoggedEvent[] = [];
    for (const s of subjects) out.push(...(await this.onSubject(jsm, s)));
    return out.sort((a, b) => a.seq - b.seq);
  }

  private async onSubject(jsm: JetStreamManager, subj: string): Promise<LoggedEvent[]> {
    const out: LoggedEvent[] = [];
    for (let seq = 1; ;) {
      let sm;
      try {
        // next_by_subj is part of the server's MSG.GET API though the client's types omit it.
        sm = await jsm.streams.getMessage(this.stream, { seq, next_by_subj: subj } as unknown as { seq: number });
      } catch {
        return out; // no further message on the subject
      }
      seq = sm.seq + 1;
      const type = sm.header?.get(Headers.type) ?? '';
      try {
        const { body } = decodeMessage(type, sm.data, sm.header?.get(Headers.contentType) || undefined);
        out.push({ seq: sm.seq, subject: sm.subject, type, body });
      } catch {
        // not a message this version can read: left out
      }
    }
  }
}
