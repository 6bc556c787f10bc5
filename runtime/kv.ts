// KV access for actors: msgpack values, optional zod validation on read, and optimistic
// concurrency (create / update with the last revision) exposed plainly.
import { setTimeout as delay } from 'node:timers/promises';
import { decode } from '@msgpack/msgpack';
import { type KV, type KvEntry, type NatsConnection, headers as natsHeaders } from 'nats';
import type { z } from 'zod';
import { PermanentError, encodeBody, isKvWriteConflict, parseKvValue } from '../protocol/index.ts';
import { type StoredMessage, directGets } from './direct-get.ts';

const encode = (value: unknown): Uint8Array => encodeBody(value, 'msgpack');

export interface KvValue<T> {
  value: T;
  revision: number;
}

export interface TypedKv {
  readonly bucket: string;
  /** The value parsed as stored values are (`parseKvValue`): one not of its schema throws a
   * KvValueError naming the key and each wrong field. */
  get<S extends z.ZodType>(key: string, schema: S): Promise<KvValue<z.infer<S>> | null>;
  getRaw(key: string, opts?: { revision?: number }): Promise<KvValue<unknown> | null>;
  /** The values of many keys in one batched direct get, in the order asked (null: none). */
  getMany(keys: readonly string[]): Promise<(KvValue<unknown> | null)[]>;
  /** Every live key under a filter with its value, read in pages (`<ws>.runs.*`). */
  list(filter: string): AsyncIterable<{ key: string } & KvValue<unknown>>;
  put(key: string, value: unknown): Promise<number>;
  /** Fails with KvConflictError when the key exists. `ttlMs`: the entry expires on its own
   * (per-message TTL, whole seconds, rounded up; the bucket must allow it). */
  create(key: string, value: unknown, opts?: { ttlMs?: number }): Promise<number>;
  /** Fails with KvConflictError when the revision is not the last one. */
  update(key: string, value: unknown, revision: number, opts?: { ttlMs?: number }): Promise<number>;
  /** `revision`: only if it is still the last one. */
  delete(key: string, opts?: { revision?: number }): Promise<void>;
  /** Read-modify-write with retries on conflicts. `fn` returns undefined to leave the key alone. */
  modify<T>(key: string, fn: (current: unknown | null) => T | undefined, attempts?: number): Promise<T | undefined>;
  /** Each key's latest value under `filter`, then every change, until the returned function is
   * called; a watch that nats.js loses is started again (and hears the latest values again). */
  watch(filter: string, onEntry: (key: string, value: unknown | null, revision: number) => void): Promise<() => void>;
  /** Removes every entry under a filter (`<ws>.<run>.>`): each key is purged (its values go at
   * once; an empty marker stays until the bucket's max age). Not a stream purge: that is an
   * operator's right, which a worker does not have (nats.conf). */
  purge(filter: string): Promise<void>;
}

/** A key no KV entry may have: refused before it reaches a subject (a subject longer than the
 * server's control line closes the connection). Not retryable: the key will not get better. */
export class KvKeyError extends PermanentError {
  override name = 'KvKeyError';
}

const KEY = /^[-/_=a-zA-Z0-9]+(\.[-/_=a-zA-Z0-9]+)*$/;
const FILTER = /^([-/_=a-zA-Z0-9]+|\*)(\.([-/_=a-zA-Z0-9]+|\*))*(\.>)?$/;
export const KV_KEY_MAX = 512;

function checked(bucket: string, key: string, filter = false): string {
  if (key.length > KV_KEY_MAX || !(filter ? FILTER : KEY).test(key)) {
    throw new KvKeyError(`${bucket}: "${key.slice(0, 60)}${key.length > 60 ? '...' : ''}" (${key.length} characters) is not a valid key`);
  }
  return key;
}

export class KvConflictError extends Error {
  override name = 'KvConflictError';
}

function unpack(e: KvEntry | null): KvValue<unknown> | null {
  if (!e || e.operation !== 'PUT' || e.value.length === 0) return null;
  return { value: decode(e.value), revision: e.revision };
}

/** A stored KV message as a value; delete and purge markers are no value. */
function unpackStored(m: StoredMessage | undefined): KvValue<unknown> | null {
  if (!m || m.data.length === 0 || m.headers.get('KV-Operation')) return null;
  return { value: decode(m.data), revision: m.seq };
}

const ttlHeader = (ms: number): string => `${Math.max(1, Math.ceil(ms / 1000))}s`;

/** `nc` carries the batched direct gets; `kv` is bound with the bucket's own `allow_direct`. */
export function typedKv(kv: KV, bucket: string, nc: NatsConnection): TypedKv {
  const js = nc.jetstream();
  const direct = directGets(nc);
  const stream = `KV_${bucket}`;
  const subjectOf = (key: string) => `$KV.${bucket}.${checked(bucket, key)}`;
  const filterOf = (f: string) => `$KV.${bucket}.${checked(bucket, f, true)}`;
  /** Every write: `expect` is the revision the key must be at (0: none), `ttlMs` a TTL of its own. */
  async function write(key: string, value: unknown, expect?: number, ttlMs?: number): Promise<number> {
    const h = natsHeaders();
    if (expect !== undefined) h.set('Nats-Expected-Last-Subject-Sequence', String(expect));
    if (ttlMs) h.set('Nats-TTL', ttlHeader(ttlMs));
    try {
      return (await js.publish(subjectOf(key), encode(value), { headers: h })).seq;
    } catch (err) {
      if (!isKvWriteConflict(err)) throw err;
      const what = expect ? `changed since revision ${expect}` : 'exists';
      throw new KvConflictError(`${bucket}/${key} ${what}`, { cause: err });
    }
  }
  const self: TypedKv = {
    bucket,
    async get(key, schema) {
      const v = unpack(await kv.get(checked(bucket, key)));
      return v ? { value: parseKvValue(schema, v.value, `${bucket} value ${key}`), revision: v.revision } : null;
    },
    async getRaw(key, opts) {
      return unpack(await kv.get(checked(bucket, key), opts?.revision ? { revision: opts.revision } : undefined));
    },
    async getMany(keys) {
      const found = await direct.last(stream, keys.map(subjectOf));
      return keys.map((k) => unpackStored(found.get(subjectOf(k))));
    },
    async *list(filter) {
      // In sequence order: a key written again during the walk comes again, a key deleted
      // during it comes back as a marker; the last word for each key is what the bucket holds.
      const live = new Map<string, KvValue<unknown>>();
      const skip = `$KV.${bucket}.`.length;
      for await (const m of direct.walk(stream, filterOf(filter))) {
        const v = unpackStored(m);
        if (v) live.set(m.subject.slice(skip), v);
        else live.delete(m.subject.slice(skip));
      }
      for (const [key, v] of live) yield { key, ...v };
    },
    put: (key, value) => write(key, value),
    async create(key, value, opts) {
      try {
        return await write(key, value, 0, opts?.ttlMs);
      } catch (err) {
        if (!(err instanceof KvConflictError)) throw err;
        // A deleted key keeps its marker: creating over it is writing after the marker.
        const last = await kv.get(key);
        if (last && last.operation !== 'PUT') return write(key, value, last.revision, opts?.ttlMs);
        throw err;
      }
    },
    update: (key, value, revision, opts) => write(key, value, revision, opts?.ttlMs),
    delete: (key, opts) => kv.delete(checked(bucket, key), opts?.revision ? { previousSeq: opts.revision } : undefined),
    async modify(key, fn, attempts = 20) {
      for (let i = 0; i < attempts; i++) {
        const cur = unpack(await kv.get(key));
        const next = fn(cur ? cur.value : null);
        if (next === undefined) return undefined;
        try {
          if (cur) await self.update(key, next, cur.revision);
          else await self.create(key, next);
          return next;
        } catch (err) {
          if (!(err instanceof KvConflictError)) throw err;
        }
      }
      throw new KvConflictError(`${bucket}/${key}: too many concurrent changes`);
    },
    async watch(filter, onEntry) {
      const key = checked(bucket, filter, true);
      let stopped = false;
      let w = await kv.watch({ key });
      // A watch nats.js could not keep (its consumer lost and not made again) is started again
      // a second later: it hears each key's latest value first, then the changes, as at the start.
      const live = () => !stopped && !nc.isClosed();
      void (async () => {
        while (live()) {
          try {
            for await (const e of w) onEntry(e.key, e.operation === 'PUT' && e.value.length ? decode(e.value) : null, e.revision);
          } catch {
            // Ended by an error: started again below.
          }
          while (live()) {
            await delay(1_000);
            if (!live()) return;
            const again = await kv.watch({ key }).catch(() => null); // NATS unavailable: a second later
            if (!again) continue;
            w = again;
            // Stopped while it was being made: the stop reached the old one only.
            if (stopped) w.stop();
            break;
          }
        }
      })();
      return () => {
        stopped = true;
        w.stop();
      };
    },
    async purge(filter) {
      const keys: string[] = [];
      for await (const { key } of self.list(filter)) keys.push(key);
      for (let i = 0; i < keys.length; i += 100) await Promise.all(keys.slice(i, i + 100).map((k) => kv.purge(k)));
    },
  };
  return self;
}
