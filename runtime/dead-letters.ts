// The dead-letter stream: where poison and exhausted messages go, with headers naming why, and
// where operators list and replay them after a fix. Kept apart from sync errors.
import { type JetStreamManager, type JsMsg, type MsgHdrs, type NatsConnection, headers as natsHeaders } from 'nats';
import { type DlqReason, Headers, subject } from '../protocol/index.ts';
import { directGets } from './direct-get.ts';

export interface DeadLetter {
  seq: number;
  subject: string;
  reason: string;
  error: string;
  type: string | null;
  originalSubject: string | null;
  deliveries: number | null;
  at: string | null;
  size: number;
}

export interface DeadLetters {
  list(ws: string, limit: number): Promise<DeadLetter[]>;
  replay(ws: string, seqs: number[]): Promise<{ replayed: number; missing: number[] }>;
}

const DLQ_HEADERS: string[] = [
  Headers.dlqReason,
  Headers.dlqSubject,
  Headers.dlqError,
  Headers.dlqStream,
  Headers.dlqSeq,
  Headers.dlqDeliveries,
  Headers.dlqAt,
];

export class DeadLetterStore implements DeadLetters {
  private readonly nc: NatsConnection;
  private readonly prefix: string;
  private readonly stream: string;

  constructor(nc: NatsConnection, prefix: string, stream: string) {
    this.nc = nc;
    this.prefix = prefix;
    this.stream = stream;
  }

  /** Move a message to the DLQ. The caller acks the original once this resolves. */
  async put(m: JsMsg, ws: string, stage: string, reason: DlqReason, error: string): Promise<void> {
    const h = natsHeaders();
    for (const [k, v] of m.headers ?? []) if (!DLQ_HEADERS.includes(k)) for (const x of v) h.append(k, x);
    h.set(Headers.dlqReason, reason);
    h.set(Headers.dlqSubject, m.subject);
    h.set(Headers.dlqError, error.slice(0, 2000).replace(/[\r\n]+/g, ' '));
    h.set(Headers.dlqStream, m.info.stream);
    h.set(Headers.dlqSeq, String(m.seq));
    h.set(Headers.dlqDeliveries, String(m.info.deliveryCount));
    h.set(Headers.dlqAt, new Date().toISOString());
    // The original's Nats-Msg-Id would be de-duplicated against unrelated DLQ entries; drop it.
    h.delete(Headers.msgId);
    await this.nc.jetstream().publish(subject(this.prefix, { kind: 'dlq', ws, stage }), m.data, {
      headers: h,
      msgID: `dlq:${m.info.stream}:${m.seq}`,
    });
  }

  private async jsm(): Promise<JetStreamManager> {
    return this.nc.jetstreamManager();
  }

  /** Oldest first, read by batched direct gets on the workspace's dead-letter subjects. */
  async list(ws: string, limit: number): Promise<DeadLetter[]> {
    const filter = subject(this.prefix, { kind: 'dlq', ws, stage: '>' });
    const out: DeadLetter[] = [];
    for await (const m of directGets(this.nc).walk(this.stream, filter, { batch: Math.min(limit, 256) })) {
      out.push(describe(m.seq, m.subject, m.headers, m.data.length));
      if (out.length >= limit) break;
    }
    return out;
  }

  async replay(ws: string, seqs: number[]): Promise<{ replayed: number; missing: number[] }> {
    const jsm = await this.jsm();
    const missing: number[] = [];
    let replayed = 0;
    for (const seq of seqs) {
      let sm;
      try {
        sm = await jsm.streams.getMessage(this.stream, { seq });
      } catch {
        missing.push(seq);
        continue;
      }
      const original = sm.header?.get(Headers.dlqSubject);
      if (!original || !sm.subject.startsWith(`${this.prefix}.dlq.${ws}.`)) {
        missing.push(seq);
        continue;
      }
      const h = natsHeaders();
      for (const [k, v] of sm.header ?? []) if (!DLQ_HEADERS.includes(k)) for (const x of v) h.append(k, x);
      await this.nc.jetstream().publish(original, sm.data, { headers: h });
      await jsm.streams.deleteMessage(this.stream, seq, false);
      replayed++;
    }
    return { replayed, missing };
  }
}

function describe(seq: number, subj: string, h: MsgHdrs | undefined, size: number): DeadLetter {
  const num = h?.get(Headers.dlqDeliveries);
  return {
    seq,
    subject: subj,
    reason: h?.get(Headers.dlqReason) || 'unknown',
    error: h?.get(Headers.dlqError) || '',
    type: h?.get(Headers.type) || null,
    originalSubject: h?.get(Headers.dlqSubject) || null,
    deliveries: num ? Number(num) : null,
    at: h?.get(Headers.dlqAt) || null,
    size,
  };
}
