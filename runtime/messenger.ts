// Encoding, headers and subjects for everything a process sends: work items and events through
// JetStream (with a publish ack), control requests as core request/reply.
import { type JetStreamClient, type MsgHdrs, type NatsConnection, headers as natsHeaders } from 'nats';
import {
  ContentTypes,
  ControlErrorBodySchema,
  ControlError,
  type ControlDef,
  DecodeError,
  type Encoding,
  Headers,
  type MessageDef,
  REPLY_DECODE_LIMITS,
  type ReplyOf,
  type WorkClass,
  contentTypeOf,
  decodeBody,
  encodeBody,
  eventTopic,
  subject,
  validateBody,
} from '../protocol/index.ts';
import type { z } from 'zod';

export interface PublishOptions {
  /** Work class of the target queue; defaults to the class of the message being handled. */
  cls?: WorkClass;
  /** Bulk run id, sent as the ps-run header. */
  run?: string;
  /** Nats-Msg-Id: a second publish with the same id inside the duplicate window is dropped. */
  msgId?: string;
}

export class Messenger {
  readonly nc: NatsConnection;
  readonly js: JetStreamClient;
  readonly prefix: string;
  readonly encoding: Encoding;
  /** Told of each message stored (not of a duplicate the stream dropped): metrics are made of these. */
  onPublished: ((type: string, ws: string, body: unknown) => void) | null = null;

  constructor(nc: NatsConnection, prefix: string, encoding: Encoding) {
    this.nc = nc;
    this.js = nc.jetstream();
    this.prefix = prefix;
    this.encoding = encoding;
  }

  /** A work item's queue, or an event's topic (with the key its body gives, if any). */
  subjectFor(def: MessageDef, ws: string, cls: WorkClass, body?: unknown): string {
    return def.kind === 'work'
      ? subject(this.prefix, { kind: 'work', ws, stage: def.stage, cls })
      : subject(this.prefix, { kind: 'evt', ws, topic: eventTopic(def, body) });
  }

  /** Headers of publishes that carry no message id, by type and run, built once: nats.js
   * only reads what it is given (it adds to it a message id or expectations, which these never
   * carry), and building them again for every publish was a tenth of what the runtime allocated
   * in test/bench/runtime.ts. Emptied when full (runs come and go). */
  private readonly sharedHeaders = new Map<string, MsgHdrs>();

  headersFor(type: string, run?: string | null): MsgHdrs {
    const h = natsHeaders();
    h.set(Headers.type, type);
    h.set(Headers.contentType, contentTypeOf(this.encoding));
    if (run) h.set(Headers.run, run);
    return h;
  }

  private shared(type: string, run: string | undefined): MsgHdrs {
    const key = run ? `${type} ${run}` : type;
    let h = this.sharedHeaders.get(key);
    if (!h) {
      if (this.sharedHeaders.size >= 1024) this.sharedHeaders.clear();
      h = this.headersFor(type, run);
      this.sharedHeaders.set(key, h);
    }
    return h;
  }

  /** Encode and publish with a JetStream ack. The body is typed by its definition here and
   * validated once, where it is received (the receiver must check it anyway): a second zod pass
   * on the sending side cost a 200-record batch about as much as a third of its msgpack encode. */
  async publish<D extends MessageDef>(
    def: D,
    ws: string,
    body: z.input<D['schema']>,
    opts: PublishOptions & { cls: WorkClass },
  ): Promise<void> {
    const run = opts.run ?? runOf(body);
    const h = opts.msgId ? this.headersFor(def.type, run) : this.shared(def.type, run);
    const ack = await this.js.publish(this.subjectFor(def, ws, opts.cls, body), encodeBody(body, this.encoding), {
      headers: h,
      msgID: opts.msgId,
    });
    if (!ack.duplicate && this.onPublished) {
      try {
        this.onPublished(def.type, ws, body);
      } catch {
        // An observer (metrics) never fails a publish that the stream has stored.
      }
    }
  }

  async request<C extends ControlDef>(def: C, ws: string, body: z.input<C['request']>, timeoutMs = 10_000): Promise<ReplyOf<C>> {
    let req: unknown;
    try {
      req = validateBody({ type: def.verb, schema: def.request }, body);
    } catch (err) {
      // Refused before it is sent, as the endpoint would refuse it.
      if (err instanceof DecodeError) throw new ControlError('invalid_request', err.message, { status: 400, cause: err });
      throw err;
    }
    const h = natsHeaders();
    h.set(Headers.contentType, contentTypeOf(this.encoding));
    let reply;
    try {
      reply = await this.nc.request(subject(this.prefix, { kind: 'ctl', ws, verb: def.verb }), encodeBody(req, this.encoding), {
        timeout: timeoutMs,
        headers: h,
      });
    } catch (err) {
      const m = (err as Error).message ?? '';
      const code = /no responders|^503$/i.test(m) ? 'no_responders' : /timeout/i.test(m) ? 'timeout' : 'request_failed';
      throw new ControlError(code, `${def.verb} for workspace ${ws}: ${m}`, { status: 503, cause: err });
    }
    return decodeReply(def, reply.data, reply.headers?.get(Headers.contentType) || ContentTypes.msgpack);
  }
}

/** A reply is either the reply schema or a structured error body. */
export function decodeReply<C extends ControlDef>(def: C, data: Uint8Array, contentType: string): ReplyOf<C> {
  const raw = decodeBody(data, contentType, REPLY_DECODE_LIMITS);
  const asError = ControlErrorBodySchema.safeParse(raw);
  if (asError.success) {
    const e = asError.data.error;
    throw new ControlError(e.code, e.message, { status: e.status, details: e.details });
  }
  try {
    return validateBody({ type: `${def.verb} reply`, schema: def.reply }, raw) as ReplyOf<C>;
  } catch (err) {
    if (err instanceof DecodeError) throw new ControlError('bad_reply', err.message, { status: 502, cause: err });
    throw err;
  }
}

/** The bulk run a body names, for the ps-run header. */
function runOf(body: unknown): string | undefined {
  const run = typeof body === 'object' && body !== null && 'run' in body ? body.run : undefined;
  return typeof run === 'string' ? run : undefined;
}
