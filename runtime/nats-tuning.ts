// A cost nats.js 2.29 puts on every request, measured in a bulk run's worker profile and removed
// here (the pinned version only: another version is left as it is, and says so): a request that
// got its answer is then also cancelled, and cancelling builds a NatsError (a stack trace) to
// reject the promise that has already settled, 11 % of the worker's CPU plus the garbage. The
// answer path here settles the promise and leaves the mux, nothing else.
// (Writing pending protocol once per event-loop turn instead of once per microtask turn was tried
// and left out: an end-to-end test failed with it, "no leader" answers that later showed up
// without it too, from test leases too short for a loaded machine; and without it the bulk
// benchmark's worker spends the same CPU per record.)
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);

/** The nats.js version whose internals this was written against. */
export const TUNED_NATS_VERSION = '2.29.3';

interface Deferred<T> {
  resolve(v: T): void;
  reject(e: unknown): void;
}
interface RequestOneLike {
  timer?: { cancel(): void };
  ctx?: Error;
  deferred: Deferred<unknown>;
  mux: { cancel(r: unknown): void };
}

let state: 'untouched' | 'tuned' | 'skipped' = 'untouched';

/** Applies the change once per process; false when the installed nats.js is not the tuned one. */
export function tuneNats(): boolean {
  if (state !== 'untouched') return state === 'tuned';
  const version = (require('nats/package.json') as { version: string }).version;
  const { RequestOne } = require('nats/lib/nats-base-client/request.js') as { RequestOne?: { prototype: Record<string, unknown> } };
  const fits = version === TUNED_NATS_VERSION && typeof RequestOne?.prototype.resolver === 'function';
  if (!fits || !RequestOne) {
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
  state = 'tuned';
  return true;
}
