// Coalesces small write items into calls of at most `maxRecords` records, flushed on size, when
// no item has come for `delayMs`, or when the first has waited `maxWaitMs`; an item that does not
// fit is split across two calls. A steady trickle of items thus fills its calls however slowly
// it flows (a fixed window sent calls as full as the window was long). Each
// item's promise settles with its own slice of the results, so its handler (and its ack) waits
// for the call that carried it. While a call is pending every member is kept alive (heartbeat),
// because only one of them waits for tokens in its own handler.

export interface BatchMember<C> {
  /** Whatever the sender needs from the item (its handler context). */
  context: C;
  /** Extends the item's ack deadline. */
  heartbeat(): void;
}

export interface BatcherOptions<U, R, C> {
  maxRecords: number;
  /** A gap this long with no new item sends what is waiting. */
  delayMs: number;
  /** The longest the first item of a call waits (default `delayMs`: a fixed window; never less than `delayMs`). */
  maxWaitMs?: number;
  /** The same record twice in one call is refused by some services: such an item opens a new call. */
  keyOf(update: U): string;
  send(updates: U[], members: BatchMember<C>[]): Promise<R[]>;
  heartbeatMs?: number;
}

interface Waiting<U, R, C> {
  updates: U[];
  member: BatchMember<C>;
  resolve(results: R[]): void;
  reject(err: unknown): void;
}

export class WriteBatcher<U, R, C> {
  private pending: Waiting<U, R, C>[] = [];
  private records = 0;
  private readonly keys = new Set<string>();
  private timer: NodeJS.Timeout | null = null;
  private firstAt = 0;
  private readonly o: BatcherOptions<U, R, C>;

  constructor(o: BatcherOptions<U, R, C>) {
    if (!(o.maxRecords >= 1)) throw new RangeError(`maxRecords must be >= 1, got ${o.maxRecords}`);
    this.o = o;
  }

  /** Resolves with one result per update, in order, once the calls carrying them return. An item
   * that does not fit fills the current call and goes on in the next, so calls leave full. */
  submit(updates: U[], member: BatchMember<C>): Promise<R[]> {
    return Promise.all(this.submitParts(updates, member).map((p) => p.promise)).then((results) => results.flat());
  }

  /** The same, told per call the item rides in: each part's updates and the promise of their
   * results, so what one call wrote is known even when another call of the item fails. */
  submitParts(updates: U[], member: BatchMember<C>): { updates: U[]; promise: Promise<R[]> }[] {
    if (updates.some((u) => this.keys.has(this.o.keyOf(u)))) this.flush();
    const parts: { updates: U[]; promise: Promise<R[]> }[] = [];
    for (let rest = updates; rest.length > 0;) {
      const room = this.o.maxRecords - this.records;
      const slice = rest.slice(0, room);
      parts.push({ updates: slice, promise: this.enqueue(slice, member) });
      rest = rest.slice(room);
    }
    return parts;
  }

  private enqueue(updates: U[], member: BatchMember<C>): Promise<R[]> {
    return new Promise<R[]>((resolve, reject) => {
      this.pending.push({ updates, member, resolve, reject });
      this.records += updates.length;
      for (const u of updates) this.keys.add(this.o.keyOf(u));
      if (this.records >= this.o.maxRecords) {
        this.flush();
        return;
      }
      const now = Date.now();
      if (this.pending.length === 1) this.firstAt = now;
      const deadline = this.firstAt + Math.max(this.o.maxWaitMs ?? this.o.delayMs, this.o.delayMs);
      if (this.timer) clearTimeout(this.timer);
      this.timer = setTimeout(() => this.flush(), Math.min(this.o.delayMs, deadline - now));
    });
  }

  /** Sends what is waiting now. */
  flush(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    const batch = this.pending;
    if (batch.length === 0) return;
    this.pending = [];
    this.records = 0;
    this.keys.clear();
    void this.send(batch);
  }

  private async send(batch: Waiting<U, R, C>[]): Promise<void> {
    const members = batch.map((w) => w.member);
    const beat = setInterval(() => members.forEach((m) => m.heartbeat()), this.o.heartbeatMs ?? 5_000);
    try {
      const updates = batch.flatMap((w) => w.updates);
      const results = await this.o.send(updates, members);
      if (results.length !== updates.length) throw new Error(`a call for ${updates.length} records answered ${results.length} results`);
      let at = 0;
      for (const w of batch) {
        w.resolve(results.slice(at, at + w.updates.length));
        at += w.updates.length;
      }
    } catch (err) {
      for (const w of batch) w.reject(err);
    } finally {
      clearInterval(beat);
    }
  }
}
