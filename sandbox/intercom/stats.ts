// Counters the tests and benchmarks read: calls by endpoint, answers by status, 429s, faults,
// TCP connections (to prove keep-alive reuse), webhook URL validations and deliveries.
import type { SandboxStats } from './types.ts';

export class StatsRecorder {
  private s: SandboxStats = StatsRecorder.empty();

  static empty(): SandboxStats {
    return {
      calls: {},
      lastCallAt: {},
      statuses: {},
      rateLimited: 0,
      faultsInjected: 0,
      connections: 0,
      webhooksDelivered: 0,
      webhooksFailed: 0,
      webhookValidations: 0,
      webhookValidationsFailed: 0,
    };
  }

  call(endpoint: string): void {
    this.s.calls[endpoint] = (this.s.calls[endpoint] ?? 0) + 1;
    this.s.lastCallAt[endpoint] = Date.now();
  }
  status(code: number): void {
    this.s.statuses[code] = (this.s.statuses[code] ?? 0) + 1;
  }
  rateLimited(): void {
    this.s.rateLimited += 1;
  }
  fault(): void {
    this.s.faultsInjected += 1;
  }
  connection(): void {
    this.s.connections += 1;
  }
  webhook(delivered: boolean): void {
    if (delivered) this.s.webhooksDelivered += 1;
    else this.s.webhooksFailed += 1;
  }

  validation(ok: boolean): void {
    this.s.webhookValidations += 1;
    if (!ok) this.s.webhookValidationsFailed += 1;
  }

  snapshot(): SandboxStats {
    return structuredClone(this.s);
  }

  reset(): void {
    this.s = StatsRecorder.empty();
  }
}
