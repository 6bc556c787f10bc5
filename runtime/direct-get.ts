// Batched direct gets (nats-server 2.11+): many messages of a stream in one request, answered by
// any server holding the stream (`allow_direct`), ended by a `204 EOB` status message.
// - last(): the last message of each of many subjects (`multi_last`): a batch of KV reads.
// - walk(): every message on a filter, in sequence order, a page per request (`next_by_subj` +
//   `batch`): nats.js's key lister, a consumer ended by a pending count, misses keys of a bucket
//   being written (it lost the newest bulk run on nats-server 2.9 and 2.15 alike).
// One inbox subscription per connection carries every answer. nats.js's own getBatch() takes an
// empty message for the end of the batch, so a KV delete marker (empty, too) would cut it short.
import { RetryableError } from '../protocol/index.ts';
import { type Msg, type MsgHdrs, type NatsConnection, type Subscription, createInbox } from 'nats';

export interface StoredMessage {
  subject: string;
  seq: number;
  headers: MsgHdrs;
  data: Uint8Array;
}

/** NATS did not answer in time, or answered with an error: retryable, the data is fine. */
const directGetError = (message: string, cause?: unknown) => new RetryableError(message, { name: 'DirectGetError', cause });

/** The most subjects one multi_last request may name (the server's limit). */
export const MULTI_LAST_MAX = 1024;
const TIMEOUT_MS = 10_000;

interface Pending {
  messages: StoredMessage[];
  resolve(r: { messages: StoredMessage[]; pending: number }): void;
  reject(e: Error): void;
  timer: NodeJS.Timeout;
}

export class DirectGets {
  private readonly nc: NatsConnection;
  private sub: Subscription | null = null;
  private prefix = '';
  private next = 0;
  private readonly pending = new Map<string, Pending>();

  constructor(nc: NatsConnection) {
    this.nc = nc;
  }

  /** The last message of each subject that has one (absent subjects are left out). */
  async last(stream: string, subjects: readonly string[]): Promise<Map<string, StoredMessage>> {
    const out = new Map<string, StoredMessage>();
    const unique = [...new Set(subjects)];
    const chunks: string[][] = [];
    for (let i = 0; i < unique.length; i += MULTI_LAST_MAX) chunks.push(unique.slice(i, i + MULTI_LAST_MAX));
    const answers = await Promise.all(chunks.map((c) => this.ask(stream, { multi_last: c })));
    for (const a of answers) for (const m of a.messages) out.set(m.subject, m);
    return out;
  }

  /** Every message on `filter` from `fromSeq` on, oldest first, `batch` to a request (and at most
   * about `maxBytes` in one answer, when given). */
  async *walk(
    stream: string,
    filter: string,
    opts: { fromSeq?: number; batch?: number; maxBytes?: number } = {},
  ): AsyncIterable<StoredMessage> {
    let seq = opts.fromSeq ?? 1;
    for (;;) {
      const req = { seq, next_by_subj: filter, batch: opts.batch ?? 256, ...(opts.maxBytes ? { max_bytes: opts.maxBytes } : {}) };
      const { messages, pending } = await this.ask(stream, req);
      for (const m of messages) yield m;
      if (messages.length === 0 || pending === 0) return;
      seq = messages[messages.length - 1].seq + 1;
    }
  }

  private inbox(): string {
    if (!this.sub || this.sub.isClosed()) {
      // The connection's own inbox prefix: a user may be allowed its own inboxes only (nats.conf).
      this.prefix = createInbox((this.nc as { options?: { inboxPrefix?: string } }).options?.inboxPrefix);
      this.sub = this.nc.subscribe(`${this.prefix}.*`, { callback: (_err, m) => this.answer(m) });
    }
    return `${this.prefix}.${(this.next++).toString(36)}`;
  }

  private ask(stream: string, req: object): Promise<{ messages: StoredMessage[]; pending: number }> {
    const reply = this.inbox();
    return new Promise((resolve, reject) => {
      const timer = setTimeout(
        () => this.settle(reply, directGetError(`direct get from ${stream}: no answer in ${TIMEOUT_MS} ms`)),
        TIMEOUT_MS,
      );
      this.pending.set(reply, { messages: [], resolve, reject, timer });
      try {
        this.nc.publish(`$JS.API.DIRECT.GET.${stream}`, JSON.stringify(req), { reply });
      } catch (err) {
        this.settle(reply, directGetError(`direct get from ${stream}: ${(err as Error).message}`, err));
      }
    });
  }

  private answer(m: Msg): void {
    const p = this.pending.get(m.subject);
    if (!p) return;
    const h = m.headers;
    const code = h?.code ?? 0;
    if (code === 204) return this.settle(m.subject, null, Number(h?.get('Nats-Num-Pending') || 0));
    if (code === 404) return this.settle(m.subject, null, 0);
    if (code !== 0 || !h) return this.settle(m.subject, directGetError(`direct get refused: ${code} ${h?.description ?? ''}`.trim()));
    p.messages.push({ subject: h.get('Nats-Subject'), seq: Number(h.get('Nats-Sequence')), headers: h, data: m.data });
  }

  private settle(reply: string, err: Error | null, pending = 0): void {
    const p = this.pending.get(reply);
    if (!p) return;
    this.pending.delete(reply);
    clearTimeout(p.timer);
    if (err) p.reject(err);
    else p.resolve({ messages: p.messages, pending });
  }
}

const perConnection = new WeakMap<NatsConnection, DirectGets>();

/** The connection's batched direct gets (one inbox subscription however many callers). */
export function directGets(nc: NatsConnection): DirectGets {
  let d = perConnection.get(nc);
  if (!d) perConnection.set(nc, (d = new DirectGets(nc)));
  return d;
}
