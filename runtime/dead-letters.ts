// The dead-letter stream: where poison and exhausted messages go, with headers naming why, and
// where operators list and replay them after a fix. Kept apart from sync errors.
//
// A letter always fits: a body larger than the decode limit (or refused for one) is kept as its
// first DLQ_PREVIEW_BYTES with the original's size and SHA-256, and the original's headers are
// copied only up to a bound. Such a letter is listed, never replayed (what is left is not the
// message).
import { createHash } from 'node:crypto';
import { type JetStreamManager, type JsMsg, type MsgHdrs, type NatsConnection, headers as natsHeaders } from 'nats';
import { type DeadLetterInfo, type DlqFilter, type DlqReason, Headers, subject } from '../protocol/index.ts';
import { directGets } from './direct-get.ts';

export type DeadLetter = DeadLetterInfo;

export interface DeadLetterPage {
  letters: DeadLetter[];
  /** Cursor of the next page (a sequence to list after), null when the listing reached the end. */
  next: number | null;
}

export interface DeadLetterQuery {
  limit: number;
  /** List letters with a sequence above this. */
  after?: number;
  filter?: DlqFilter;
}

export interface DeadLetters {
  list(ws: string, q: DeadLetterQuery): Promise<DeadLetterPage>;
  replay(ws: string, seqs: number[]): Promise<{ replayed: number; missing: number[]; truncated: number[] }>;
}

/** What a letter keeps of a body too large to keep whole. */
export const DLQ_PREVIEW_BYTES = 4 * 1024;
const HEADER_VALUE_MAX = 1024;
const HEADERS_TOTAL_MAX = 16 * 1024;
/** One page of a listing is read in answers of about this size. */
const LIST_ANSWER_BYTES = 4 * 1024 * 1024;

const DLQ_HEADERS: string[] = [
  Headers.dlqReason,
  Headers.dlqSubject,
  Headers.dlqError,
  Headers.dlqStream,
  Headers.dlqSeq,
  Headers.dlqDeliveries,
  Headers.dlqAt,
  Headers.dlqSize,
  Headers.dlqDigest,
  Headers.dlqTruncated,
];

/** The original's headers, each value and all of them together bounded; the DLQ's own dropped. */
function copyHeaders(from: MsgHdrs | undefined): MsgHdrs {
  const h = natsHeaders();
  let total = 0;
  for (const [k, v] of from ?? []) {
    if (DLQ_HEADERS.includes(k) || k.length > 128) continue;
    for (const x of v) {
      const value = x.slice(0, HEADER_VALUE_MAX).replace(/[\r\n]+/g, ' ');
      total += k.length + value.length + 4;
      if (total > HEADERS_TOTAL_MAX) return h;
      h.append(k, value);
    }
  }
  return h;
}

export class DeadLetterStore implements DeadLetters {
  private readonly nc: NatsConnection;
  private readonly prefix: string;
  private readonly stream: string;
  private readonly keepMaxBytes: number;

  /** `keepMaxBytes`: bodies up to this size are kept whole (the worker's decode limit). */
  constructor(nc: NatsConnection, prefix: string, stream: string, keepMaxBytes: number) {
    this.nc = nc;
    this.prefix = prefix;
    this.stream = stream;
    this.keepMaxBytes = keepMaxBytes;
  }

  /** Move a message to the DLQ; returns the letter's sequence. The caller acks the original once
   * this resolves. */
  async put(m: JsMsg, ws: string, stage: string, reason: DlqReason, error: string): Promise<number> {
    const h = copyHeaders(m.headers);
    const whole = reason !== 'too_large' && m.data.length <= this.keepMaxBytes;
    h.set(Headers.dlqReason, reason);
    h.set(Headers.dlqSubject, m.subject.slice(0, HEADER_VALUE_MAX));
    h.set(Headers.dlqError, error.slice(0, 2000).replace(/[\r\n]+/g, ' '));
    h.set(Headers.dlqStream, m.info.stream);
    h.set(Headers.dlqSeq, String(m.seq));
    h.set(Headers.dlqDeliveries, String(m.info.deliveryCount));
    h.set(Headers.dlqAt, new Date().toISOString());
    h.set(Headers.dlqSize, String(m.data.length));
    h.set(Headers.dlqDigest, createHash('sha256').update(m.data).digest('hex'));
    if (!whole) h.set(Headers.dlqTruncated, 'true');
    // The original's Nats-Msg-Id would be de-duplicated against unrelated DLQ entries; drop it.
    h.delete(Headers.msgId);
    const body = whole ? m.data : m.data.subarray(0, DLQ_PREVIEW_BYTES);
    const ack = await this.nc.jetstream().publish(subject(this.prefix, { kind: 'dlq', ws, stage }), body, {
      headers: h,
      msgID: `dlq:${m.info.stream}:${m.seq}`,
    });
    return ack.seq;
  }

  private async jsm(): Promise<JetStreamManager> {
    return this.nc.jetstreamManager();
  }

  /** Oldest first, a page at a time, read by batched direct gets on the workspace's dead-letter
   * subjects (one stage's, when the filter names one); the other filters are applied as read. */
  async list(ws: string, q: DeadLetterQuery): Promise<DeadLetterPage> {
    const f = q.filter ?? {};
    const filter = subject(this.prefix, { kind: 'dlq', ws, stage: f.stage ?? '>' });
    const letters: DeadLetter[] = [];
    const walk = directGets(this.nc).walk(this.stream, filter, {
      fromSeq: (q.after ?? 0) + 1,
      batch: 256,
      maxBytes: LIST_ANSWER_BYTES,
    });
    for await (const m of walk) {
      const l = describe(m.seq, m.subject, m.headers, m.data.length);
      if (!matches(l, f)) continue;
      letters.push(l);
      if (letters.length >= q.limit) return { letters, next: l.seq };
    }
    return { letters, next: null };
  }

  async replay(ws: string, seqs: number[]): Promise<{ replayed: number; missing: number[]; truncated: number[] }> {
    const jsm = await this.jsm();
    const missing: number[] = [];
    const truncated: number[] = [];
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
      if (sm.header?.get(Headers.dlqTruncated)) {
        truncated.push(seq);
        continue;
      }
      await this.nc.jetstream().publish(original, sm.data, { headers: copyHeaders(sm.header) });
      await jsm.streams.deleteMessage(this.stream, seq, false);
      replayed++;
    }
    return { replayed, missing, truncated };
  }
}

function matches(l: DeadLetter, f: DlqFilter): boolean {
  return (!f.reason || l.reason === f.reason) && (!f.type || l.type === f.type) && (!f.run || l.run === f.run);
}

function describe(seq: number, subj: string, h: MsgHdrs | undefined, stored: number): DeadLetter {
  const num = h?.get(Headers.dlqDeliveries);
  const size = h?.get(Headers.dlqSize);
  return {
    seq,
    subject: subj,
    reason: h?.get(Headers.dlqReason) || 'unknown',
    error: h?.get(Headers.dlqError) || '',
    type: h?.get(Headers.type) || null,
    run: h?.get(Headers.run) || null,
    originalSubject: h?.get(Headers.dlqSubject) || null,
    deliveries: num ? Number(num) : null,
    at: h?.get(Headers.dlqAt) || null,
    size: size ? Number(size) : stored,
    truncated: h?.get(Headers.dlqTruncated) === 'true',
    digest: h?.get(Headers.dlqDigest) || null,
  };
}
