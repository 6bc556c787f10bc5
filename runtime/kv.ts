// KV access for actors: msgpack values, optional zod validation on read, and optimistic
// concurrency (create / update with the last revision) exposed plainly.
import { decode } from '@msgpack/msgpack';
import { encodeBody } from '../protocol/index.ts';

const encode = (value: unknown): Uint8Array => encodeBody(value, 'msgpack');
import type { KV, KvEntry } from 'nats';
import type { z } from 'zod';

export interface KvValue<T> {
  value: T;
  revision: number;
}

export interface TypedKv {
  readonly bucket: string;
  get<S extends z.ZodType>(key: string, schema: S): Promise<KvValue<z.infer<S>> | null>;
  getRaw(key: string, opts?: { revision?: number }): Promise<KvValue<unknown> | null>;
  put(key: string, value: unknown): Promise<number>;
  /** Fails with KvConflictError when the key exists. */
  create(key: string, value: unknown): Promise<number>;
  /** Fails with KvConflictError when the revision is not the last one. */
  update(key: string, value: unknown, revision: number): Promise<number>;
  delete(key: string): Promise<void>;
  keys(filter?: string): AsyncIterable<string>;
  /** Read-modify-write with retries on conflicts. `fn` returns undefined to leave the key alone. */
  modify<T>(key: string, fn: (current: unknown | null) => T | undefined, attempts?: number): Promise<T | undefined>;
  watch(filter: string, onEntry: (key: string, value: unknown | null, revision: number) => void): Promise<() => void>;
}

export class KvConflictError extends Error {
  override name = 'KvConflictError';
}

function isConflict(err: unknown): boolean {
  const m = (err as Error)?.message ?? '';
  return /wrong last sequence|key exists/i.test(m) || (err as { api_error?: { err_code?: number } })?.api_error?.err_code === 10071;
}

function unpack(e: KvEntry | null): KvValue<unknown> | null {
  if (!e || e.operation !== 'PUT' || e.value.length === 0) return null;
  return { value: decode(e.value), revision: e.revision };
}

export function typedKv(kv: KV, bucket: string): TypedKv {
  const self: TypedKv = {
    bucket,
    async get(key, schema) {
      const v = unpack(await kv.get(key));
      return v ? { value: schema.parse(v.value), revision: v.revision } : null;
    },
    async getRaw(key, opts) {
      return unpack(await kv.get(key, opts?.revision ? { revision: opts.revision } : undefined));
    },
    put: (key, value) => kv.put(key, encode(value)),
    async create(key, value) {
      try {
        return await kv.create(key, encode(value));
      } catch (err) {
        if (isConflict(err)) throw new KvConflictError(`${bucket}/${key} exists`, { cause: err });
        throw err;
      }
    },
    async update(key, value, revision) {
      try {
        return await kv.update(key, encode(value), revision);
      } catch (err) {
        if (isConflict(err)) throw new KvConflictError(`${bucket}/${key} changed since revision ${revision}`, { cause: err });
        throw err;
      }
    },
    delete: (key) => kv.delete(key),
    async *keys(filter) {
      const it = await kv.keys(filter);
      for await (const k of it) yield k;
    },
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
      const w = await kv.watch({ key: filter });
      void (async () => {
        for await (const e of w) onEntry(e.key, e.operation === 'PUT' && e.value.length ? decode(e.value) : null, e.revision);
      })();
      return () => w.stop();
    },
  };
  return self;
}
