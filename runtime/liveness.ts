// Is a process still there? Each host answers on its own liveness subject while its connection is
// open. Asking there and hearing "no responders" means the server holds no subscription for it:
// the process's connection has closed (killed, or its host lost once the server notices). A slow
// or silent answer is not taken as gone: only the server's word is.
import { randomBytes } from 'node:crypto';
import type { NatsConnection, Subscription } from 'nats';
import { aliveSubject, isAliveSubject, isNoResponders } from '../protocol/index.ts';
import type { LivenessState as State } from './lease.ts';

const EMPTY = new Uint8Array(0);

export class Liveness {
  readonly subject: string;
  private sub: Subscription | null = null;
  private readonly nc: NatsConnection;
  private readonly prefix: string;
  private readonly timeoutMs: number;

  constructor(nc: NatsConnection, prefix: string, timeoutMs = 1_000) {
    this.nc = nc;
    this.prefix = prefix;
    this.timeoutMs = timeoutMs;
    this.subject = aliveSubject(prefix, randomBytes(8).toString('hex'));
  }

  start(): void {
    this.sub ??= this.nc.subscribe(this.subject, { callback: (_err, m) => m.respond(EMPTY) });
  }

  async check(subject: string): Promise<State> {
    if (!isAliveSubject(this.prefix, subject)) return 'unknown';
    try {
      await this.nc.request(subject, EMPTY, { timeout: this.timeoutMs });
      return 'alive';
    } catch (err) {
      return isNoResponders(err) ? 'gone' : 'unknown';
    }
  }

  stop(): void {
    this.sub?.unsubscribe();
    this.sub = null;
  }
}
