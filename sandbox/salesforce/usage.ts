// The org's daily API counter: a rolling 24-hour window (calls age out minute by minute, as
// Salesforce describes it), shared between this workspace and "other integrations".

const WINDOW_MS = 24 * 60 * 60 * 1000;
const BUCKET_MS = 60 * 1000;

class RollingWindow {
  private buckets: Array<{ minute: number; count: number }> = [];
  private sum = 0;

  add(now: number, n: number): void {
    const minute = Math.floor(now / BUCKET_MS);
    const last = this.buckets[this.buckets.length - 1];
    if (last && last.minute === minute) last.count += n;
    else this.buckets.push({ minute, count: n });
    this.sum += n;
  }

  total(now: number): number {
    const oldest = Math.floor((now - WINDOW_MS) / BUCKET_MS);
    while (this.buckets.length && this.buckets[0].minute <= oldest) {
      this.sum -= this.buckets[0].count;
      this.buckets.shift();
    }
    return this.sum;
  }

  clear(): void {
    this.buckets = [];
    this.sum = 0;
  }
}

export interface UsageSnapshot {
  max: number;
  used: number;
  own: number;
  other: number;
  remaining: number;
}

export class ApiUsage {
  private readonly own = new RollingWindow();
  private readonly other = new RollingWindow();

  constructor(
    private readonly now: () => number,
    public max: number,
  ) {}

  /** True when the window is full: Salesforce blocks calls until usage falls below Max. */
  exhausted(): boolean {
    return this.used() >= this.max;
  }

  charge(n = 1): void {
    this.own.add(this.now(), n);
  }

  addOther(n: number): void {
    this.other.add(this.now(), n);
  }

  setOther(n: number): void {
    this.other.clear();
    if (n > 0) this.other.add(this.now(), n);
  }

  used(): number {
    const now = this.now();
    return this.own.total(now) + this.other.total(now);
  }

  reset(): void {
    this.own.clear();
    this.other.clear();
  }

  snapshot(): UsageSnapshot {
    const now = this.now();
    const own = this.own.total(now);
    const other = this.other.total(now);
    return { max: this.max, used: own + other, own, other, remaining: Math.max(0, this.max - own - other) };
  }

  /** The `Sforce-Limit-Info` header value. */
  header(): string {
    return `api-usage=${this.used()}/${this.max}`;
  }
}
