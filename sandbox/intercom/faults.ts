// Fault injection for tests: latency, 5xx answers and dropped connections, either by rate (a
// seeded die, so a run can be repeated) or for the next N requests (deterministic).
import { mulberry32 } from '../prng.ts';
import { SandboxInputError } from './errors.ts';
import type { FaultOptions } from './types.ts';

export type FaultAction = { kind: 'drop' } | { kind: 'error'; status: number } | undefined;

export function assertFaults(f: FaultOptions): void {
  for (const key of ['errorRate', 'dropRate'] as const) {
    const v = f[key];
    if (v !== undefined && !(v >= 0 && v <= 1)) throw new SandboxInputError(`faults.${key} must be between 0 and 1, got ${v}`);
  }
  for (const key of ['latencyMs', 'failNext', 'dropNext'] as const) {
    const v = f[key];
    if (v !== undefined && !(Number.isFinite(v) && v >= 0)) throw new SandboxInputError(`faults.${key} must be a number >= 0, got ${v}`);
  }
  if (f.errorStatus !== undefined && !(Number.isInteger(f.errorStatus) && f.errorStatus >= 500 && f.errorStatus <= 599)) {
    throw new SandboxInputError(`faults.errorStatus must be a 5xx status, got ${f.errorStatus}`);
  }
}

export class FaultInjector {
  private faults: FaultOptions | undefined;
  private readonly random: () => number;

  constructor(seed: number, initial?: FaultOptions) {
    this.random = mulberry32(seed ^ 0x5eed);
    this.set(initial);
  }

  set(f: FaultOptions | undefined): void {
    if (f) assertFaults(f);
    this.faults = f ? { ...f } : undefined;
  }

  get(): FaultOptions | undefined {
    return this.faults ? { ...this.faults } : undefined;
  }

  private applies(path: string): FaultOptions | undefined {
    const f = this.faults;
    return f && (!f.pathPrefix || path.startsWith(f.pathPrefix)) ? f : undefined;
  }

  latencyMs(path: string): number {
    return this.applies(path)?.latencyMs ?? 0;
  }

  /** What to do with this request; counts down failNext/dropNext. */
  decide(path: string): FaultAction {
    const f = this.applies(path);
    if (!f) return undefined;
    const status = f.errorStatus ?? 503;
    if (f.dropNext) {
      f.dropNext -= 1;
      return { kind: 'drop' };
    }
    if (f.failNext) {
      f.failNext -= 1;
      return { kind: 'error', status };
    }
    if (f.dropRate && this.random() < f.dropRate) return { kind: 'drop' };
    if (f.errorRate && this.random() < f.errorRate) return { kind: 'error', status };
    return undefined;
  }
}
