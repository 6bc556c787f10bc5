// Two costs nats.js 2.29 puts on every request, measured in a bulk run's worker profile and
// removed here (the pinned version only: another version is left as it is, and says so):
// - A request that got its answer is then also cancelled, and cancelling builds a NatsError
//   (a stack trace) to reject the promise that has already settled: 11 % of the worker's CPU,
//   plus the garbage. The answer path here settles the promise and leaves the mux, nothing else.
// - Every microtask turn that sends flushes its own socket write, so a batch of KV reads issued
//   over a few awaits is as many write calls (7 % of the worker's CPU). Pending protocol is
//   written once per event-loop turn instead; the size limit still flushes at once.
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);

/** The nats.js version whose internals this was written against. */
export const TUNED_NATS_VERSION = '2.29.3';

interface Deferred<T> { resolve(v: T): void; reject(e: unknown): void }
interface RequestOneLike {
  timer?: { cancel(): void };
  ctx?: Error;
  deferred: Deferred<unknown>;
  mux: { cancel(r: unknown): void };
}
interface ProtocolLike {
  outbound: { length(): number; size(): number; fill(buf: Uint8Array, ...payloads: Uint8Array[]): void };
  pendingLimit: number;
  flushPending(): void;
}

let state: 'untouched' | 'tuned' | 'skipped' = 'untouched';

/** Applies both changes once per process; false when the installed nats.js is not the tuned one. */
export function tuneNats(): boolean {
  if (state !== 'untouched') return state === 'tuned';
  const version = (require('nats/package.json') as { version: string }).version;
  const { RequestOne } = require('nats/lib/nats-base-client/request.js') as { RequestOne?: { prototype: Record<string, unknown> } };
  const { ProtocolHandler } = require('nats/lib/nats-base-client/protocol.js') as { ProtocolHandler?: { prototype: Record<string, unknown> } };
  const { encode } = require('nats/lib/nats-base-client/encoders.js') as { encode: (s: string) => Uint8Array };
  const fits = version === TUNED_NATS_VERSION && typeof RequestOne?.prototype.resolver === 'function'
    && typeof ProtocolHandler?.prototype.sendCommand === 'function' && typeof encode === 'function';
  if (!fits || !RequestOne || !ProtocolHandler) {
    state = 'skipped';
    return false;
  }
  RequestOne.prototype.resolver = function resolver(this: RequestOneLike, err: Error | null, msg: unknown): void {
    this.timer?.cancel();
    if (err) {
      if (this.ctx) err.stack += `\n\n${this.ctx.stack}`;
      this.deferred.reject(err);
    } else {
      this.deferred.resolve(msg);
    }
    this.mux.cancel(this);
  };
  ProtocolHandler.prototype.sendCommand = function sendCommand(this: ProtocolLike, cmd: string | Uint8Array, ...payloads: Uint8Array[]): void {
    const empty = this.outbound.length() === 0;
    this.outbound.fill(typeof cmd === 'string' ? encode(cmd) : cmd, ...payloads);
    if (empty) setImmediate(() => this.flushPending());
    else if (this.outbound.size() >= this.pendingLimit) this.flushPending();
  };
  state = 'tuned';
  return true;
}
