// The services the worker provides to actors (cli/worker.ts builds them), and how an actor names
// those it needs: `needs: uses('salesforce', 'now')` in its defineActor types `ctx.deps` with
// exactly those, and the host refuses to start it where one is missing. Configuration values are
// not services: actors read them on `ctx.config`.
import type { IntercomClient, Mailer, SalesforceClient } from '../connectors/index.ts';
import type { Needs } from '../runtime/index.ts';

/** A type, not an interface, so that it is a record of services the host can take as is. */
export type Services = {
  salesforce(ws: string): SalesforceClient;
  intercom(ws: string): IntercomClient;
  mailer: Mailer;
  /** Milliseconds; replaceable in tests. */
  now(): number;
  /** A round trip to NATS, for health checks. */
  natsHealth(): Promise<{ connected: boolean; rttMs: number | null; server: string | null }>;
};

/** Some of the services: what a context's `deps` holds where only these are read. */
export type Uses<K extends keyof Services> = Pick<Services, K>;

export function uses<K extends keyof Services>(...names: K[]): Needs<Uses<K>> {
  return { names };
}
