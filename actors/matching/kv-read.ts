// Batch reads: every key of a batch asked at once, so a batch costs one round trip of latency.
import type { TypedKv } from '../../runtime/index.ts';

export async function getMany(kv: TypedKv, keys: readonly string[]): Promise<(unknown | null)[]> {
  return Promise.all(keys.map(async (k) => (await kv.getRaw(k))?.value ?? null));
}
