// A small cache of values that go stale (describes, data attributes): each key is loaded at most
// once at a time, however many handlers ask together, and reloaded when older than the caller
// allows. The clock is passed in so tests need no waiting.

interface Entry<V> {
  value: V;
  at: number;
}

export class TtlCache<V> {
  private readonly entries = new Map<string, Entry<V>>();
  private readonly loading = new Map<string, Promise<V>>();
  private readonly ttlMs: number;
  private readonly now: () => number;

  constructor(ttlMs: number, now: () => number = Date.now) {
    if (!(ttlMs >= 0)) throw new RangeError(`ttlMs must be >= 0, got ${String(ttlMs)}`);
    this.ttlMs = ttlMs;
    this.now = now;
  }

  /** The cached value when it is at most `maxAgeMs` old (default: the cache's TTL). */
  peek(key: string, maxAgeMs = this.ttlMs): V | undefined {
    const e = this.entries.get(key);
    return e && this.now() - e.at <= maxAgeMs ? e.value : undefined;
  }

  /**
   * The cached value, or `load()`'s; concurrent callers of one key share one load. While a load
   * is in flight every caller waits for it: someone found the cached value too old.
   */
  async get(key: string, load: () => Promise<V>, maxAgeMs = this.ttlMs): Promise<V> {
    const inFlight = this.loading.get(key);
    if (inFlight) return inFlight;
    const hit = this.peek(key, maxAgeMs);
    if (hit !== undefined) return hit;
    const p = load()
      .then((value) => {
        this.entries.set(key, { value, at: this.now() });
        return value;
      })
      .finally(() => this.loading.delete(key));
    this.loading.set(key, p);
    return p;
  }

  invalidate(key?: string): void {
    if (key === undefined) this.entries.clear();
    else this.entries.delete(key);
  }
}
