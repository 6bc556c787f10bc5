// Bytes <-> typed objects in one step. The encoding is chosen by the content-type header, so a
// deployment can switch to JSON for debugging while msgpack messages already in flight still
// decode. Work items, events and control requests all decode here, the same way: refused by size
// before anything is read, by depth and lengths while it is read (protocol/limits.ts), then
// validated by a strict schema. Anything that fails is poison and carries the reason the DLQ records.
import { Decoder, Encoder } from '@msgpack/msgpack';
import { type ContentType, ContentTypes, type DlqReason } from './headers.ts';
import { type DecodeLimits, DEFAULT_DECODE_LIMITS, LimitError, checkSize, checkValue, scanMsgpack } from './limits.ts';
import { type MessageDef, messageDef } from './message.ts';
import type { z } from 'zod';

export type Encoding = 'msgpack' | 'json';

export class DecodeError extends Error {
  override name = 'DecodeError';
  readonly reason: DlqReason;
  constructor(reason: DlqReason, message: string, opts?: { cause?: unknown }) {
    super(message, opts);
    this.reason = reason;
  }
}

// One encoder and decoder for the process: they keep their buffers and key caches between calls.
const encoder = new Encoder({ ignoreUndefined: true });
const decoder = new Decoder();
const text = new TextEncoder();
const untext = new TextDecoder('utf-8', { fatal: true });

export function contentTypeOf(enc: Encoding): ContentType {
  return enc === 'json' ? ContentTypes.json : ContentTypes.msgpack;
}

/** Encode a plain value (already validated). msgpack drops `undefined` keys like JSON does. */
export function encodeBody(value: unknown, enc: Encoding): Uint8Array {
  if (enc === 'json') return text.encode(JSON.stringify(value));
  return encoder.encode(value);
}

function limitReason(err: LimitError): DlqReason {
  if (err.kind === 'too_large') return 'too_large';
  return err.kind === 'malformed' ? 'undecodable' : 'invalid_body';
}

/** Bytes to a plain object: size first, then the structure, then the value. */
export function decodeBody(data: Uint8Array, contentType: string | undefined, limits: DecodeLimits = DEFAULT_DECODE_LIMITS): unknown {
  // What every message carries is compared as it is; anything else is read as a media type.
  const ct =
    contentType === undefined || contentType === ContentTypes.msgpack
      ? ContentTypes.msgpack
      : contentType.split(';')[0].trim().toLowerCase();
  try {
    checkSize(data.length, limits);
    if (ct === ContentTypes.json) {
      const v: unknown = JSON.parse(untext.decode(data));
      checkValue(v, limits);
      return v;
    }
    if (ct === ContentTypes.msgpack) {
      scanMsgpack(data, limits);
      return decoder.decode(data);
    }
  } catch (err) {
    if (err instanceof LimitError) {
      const message = err.kind === 'malformed' ? `body is not valid ${ct}: ${err.message}` : err.message;
      throw new DecodeError(limitReason(err), message, { cause: err });
    }
    throw new DecodeError('undecodable', `body is not valid ${ct}: ${(err as Error).message}`, { cause: err });
  }
  throw new DecodeError('undecodable', `unsupported content-type "${ct}"`);
}

/** Validate a decoded body against its schema; zod issues are joined into one readable line. */
export function validateBody<S extends z.ZodType>(def: MessageDef<S> | { type: string; schema: S }, body: unknown): z.infer<S> {
  const res = def.schema.safeParse(body);
  if (!res.success) {
    const issues = res.error.issues
      .slice(0, 10)
      .map((i) => `${i.path.join('.').slice(0, 200) || '(root)'}: ${i.message.slice(0, 300)}`)
      .join('; ');
    throw new DecodeError('invalid_body', `${def.type} body is invalid: ${issues}`, { cause: res.error });
  }
  return res.data;
}

/** The whole decode step: type header -> definition -> bytes -> schema. */
export function decodeMessage(
  type: string | undefined,
  data: Uint8Array,
  contentType: string | undefined,
  limits: DecodeLimits = DEFAULT_DECODE_LIMITS,
): {
  def: MessageDef;
  body: unknown;
} {
  if (!type) throw new DecodeError('unknown_type', 'message has no ps-type header');
  const def = messageDef(type);
  if (!def) throw new DecodeError('unknown_type', `unknown message type "${type.slice(0, 200)}"`);
  const raw = decodeBody(data, contentType, limits);
  return { def, body: validateBody(def, raw) };
}

/** A control request: an empty body is `{}`; otherwise decoded exactly as a work item is. */
export function decodeRequest<S extends z.ZodType>(
  verb: string,
  schema: S,
  data: Uint8Array,
  contentType: string | undefined,
  limits: DecodeLimits = DEFAULT_DECODE_LIMITS,
): z.infer<S> {
  const raw = data.length === 0 ? {} : decodeBody(data, contentType, limits);
  return validateBody({ type: verb, schema }, raw);
}
