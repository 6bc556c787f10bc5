// Limits a body must keep before it is decoded: its size in bytes, and while it is read its
// nesting depth and the lengths of its arrays, maps and strings. A msgpack body is scanned once,
// without building anything, so a 1 MB stack of nested arrays is refused at its 17th byte rather
// than built and then walked by a schema. msgpack's bin and ext types are refused outright: no
// peoplesync value is binary, and a bin decodes to a Uint8Array that an object schema may take
// for an empty object. Pure: the decoders call these; the worker's configuration sets the limits.

export interface DecodeLimits {
  /** A body larger than this is refused before anything else (well below NATS's max_payload). */
  maxBytes: number;
  /** Containers inside containers: the body itself is depth 1. */
  maxDepth: number;
  maxArrayLength: number;
  maxMapLength: number;
  /** In UTF-8 bytes. */
  maxStrLength: number;
}

export const DEFAULT_DECODE_LIMITS: DecodeLimits = {
  maxBytes: 1024 * 1024,
  maxDepth: 16,
  maxArrayLength: 10_000,
  maxMapLength: 1_000,
  maxStrLength: 256 * 1024,
};

/** For control replies: our own services' answers (a page of dead letters may be large). */
export const REPLY_DECODE_LIMITS: DecodeLimits = {
  maxBytes: 64 * 1024 * 1024,
  maxDepth: 32,
  maxArrayLength: 1_000_000,
  maxMapLength: 100_000,
  maxStrLength: 16 * 1024 * 1024,
};

/** Why a body was refused: `too_large` (a limit), `binary` (bin/ext), `malformed` (not msgpack),
 * `not_object` (the body is not a map). */
export class LimitError extends Error {
  override name = 'LimitError';
  readonly kind: 'too_large' | 'binary' | 'malformed' | 'not_object';
  constructor(kind: LimitError['kind'], message: string) {
    super(message);
    this.kind = kind;
  }
}

export function checkSize(length: number, limits: DecodeLimits): void {
  if (length > limits.maxBytes) {
    throw new LimitError('too_large', `body of ${length} bytes is larger than the ${limits.maxBytes} bytes allowed`);
  }
}

interface Frame {
  left: number;
  map: boolean;
}

/** What one msgpack head byte says: a container (`items` elements, after `skip` length bytes),
 * a string (its length in `lenBytes` bytes), or a scalar `skip` bytes long. */
function head(b: number): { kind: 'array' | 'map' | 'str' | 'scalar' | 'binary' | 'bad'; fixed?: number; lenBytes?: number } {
  if (b <= 0x7f || b >= 0xe0) return { kind: 'scalar', fixed: 0 };
  if (b <= 0x8f) return { kind: 'map', fixed: b & 0x0f };
  if (b <= 0x9f) return { kind: 'array', fixed: b & 0x0f };
  if (b <= 0xbf) return { kind: 'str', fixed: b & 0x1f };
  switch (b) {
    case 0xc0:
    case 0xc2:
    case 0xc3:
      return { kind: 'scalar', fixed: 0 };
    case 0xcc:
    case 0xd0:
      return { kind: 'scalar', fixed: 1 };
    case 0xcd:
    case 0xd1:
      return { kind: 'scalar', fixed: 2 };
    case 0xca:
    case 0xce:
    case 0xd2:
      return { kind: 'scalar', fixed: 4 };
    case 0xcb:
    case 0xcf:
    case 0xd3:
      return { kind: 'scalar', fixed: 8 };
    case 0xd9:
      return { kind: 'str', lenBytes: 1 };
    case 0xda:
      return { kind: 'str', lenBytes: 2 };
    case 0xdb:
      return { kind: 'str', lenBytes: 4 };
    case 0xdc:
      return { kind: 'array', lenBytes: 2 };
    case 0xdd:
      return { kind: 'array', lenBytes: 4 };
    case 0xde:
      return { kind: 'map', lenBytes: 2 };
    case 0xdf:
      return { kind: 'map', lenBytes: 4 };
    case 0xc1:
      return { kind: 'bad' };
    default:
      return { kind: 'binary' }; // 0xc4-0xc9 bin/ext, 0xd4-0xd8 fixext
  }
}

/** Checks a msgpack body against the limits without decoding it; the body must be a map. */
export function scanMsgpack(data: Uint8Array, limits: DecodeLimits): void {
  checkSize(data.length, limits);
  const first = data.length ? head(data[0]).kind : 'bad';
  if (first === 'bad') throw new LimitError('malformed', 'body is empty or does not start with a msgpack value');
  if (first !== 'map') throw new LimitError('not_object', 'body must be a msgpack map (an object)');
  const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
  const need = (pos: number, n: number) => {
    if (pos + n > data.length) throw new LimitError('malformed', `msgpack body ends inside a value at byte ${pos}`);
  };
  const readLen = (pos: number, n: number): number => {
    need(pos, n);
    return n === 1 ? data[pos] : n === 2 ? view.getUint16(pos) : view.getUint32(pos);
  };
  const stack: Frame[] = [];
  let frame: Frame = { left: 1, map: false };
  let pos = 0;
  for (;;) {
    if (frame.left === 0) {
      const up = stack.pop();
      if (!up) break;
      frame = up;
      continue;
    }
    const isKey = frame.map && frame.left % 2 === 0;
    frame.left--;
    need(pos, 1);
    const h = head(data[pos]);
    pos++;
    if (h.kind === 'bad') throw new LimitError('malformed', `byte 0x${data[pos - 1].toString(16)} at ${pos - 1} is not msgpack`);
    if (h.kind === 'binary') throw new LimitError('binary', `binary value (msgpack bin/ext) at byte ${pos - 1}: never a valid value`);
    if (isKey && h.kind !== 'str') throw new LimitError('malformed', `map key at byte ${pos - 1} is not a string`);
    if (h.kind === 'scalar') {
      need(pos, h.fixed as number);
      pos += h.fixed as number;
      continue;
    }
    const n = h.fixed ?? readLen(pos, h.lenBytes as number);
    pos += h.lenBytes ?? 0;
    if (h.kind === 'str') {
      if (n > limits.maxStrLength)
        throw new LimitError('too_large', `string of ${n} bytes at byte ${pos} (at most ${limits.maxStrLength})`);
      need(pos, n);
      pos += n;
      continue;
    }
    const max = h.kind === 'map' ? limits.maxMapLength : limits.maxArrayLength;
    if (n > max) throw new LimitError('too_large', `${h.kind} of ${n} entries at byte ${pos} (at most ${max})`);
    if (stack.length + 1 > limits.maxDepth)
      throw new LimitError('too_large', `nested deeper than ${limits.maxDepth} levels at byte ${pos}`);
    stack.push(frame);
    frame = { left: h.kind === 'map' ? 2 * n : n, map: h.kind === 'map' };
  }
  if (pos !== data.length) throw new LimitError('malformed', `${data.length - pos} bytes after the end of the msgpack body`);
}

/** The same limits on a value parsed from JSON (which has no binary), walked without recursion. */
export function checkValue(value: unknown, limits: DecodeLimits): void {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new LimitError('not_object', 'body must be a JSON object');
  const stack: Array<{ v: unknown; depth: number }> = [{ v: value, depth: 1 }];
  while (stack.length) {
    const { v, depth } = stack.pop() as { v: unknown; depth: number };
    if (typeof v === 'string') {
      if (v.length > limits.maxStrLength)
        throw new LimitError('too_large', `string of ${v.length} characters (at most ${limits.maxStrLength})`);
      continue;
    }
    if (typeof v !== 'object' || v === null) continue;
    if (depth > limits.maxDepth) throw new LimitError('too_large', `nested deeper than ${limits.maxDepth} levels`);
    const items = Array.isArray(v) ? v : Object.values(v);
    const max = Array.isArray(v) ? limits.maxArrayLength : limits.maxMapLength;
    if (items.length > max)
      throw new LimitError('too_large', `${Array.isArray(v) ? 'array' : 'object'} of ${items.length} entries (at most ${max})`);
    for (const x of items) stack.push({ v: x, depth: depth + 1 });
  }
}
