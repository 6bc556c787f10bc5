// Batch reads: every key of a batch in one batched direct get (one request, one round trip).
import type { TypedKv } from '../../runtime/index.ts';

export async function getMany(kv: TypedKv, keys: readonly string[]): Promise<(unknown | null)[]> {
  return (await kv.getMany(keys)).map((v) => v?.value ?? null);
}
