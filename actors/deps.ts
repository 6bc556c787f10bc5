// What the worker wires into every actor context: clients per workspace and the mailer.
import type { IntercomClient, Mailer, SalesforceClient } from '../connectors/index.ts';

declare module '../runtime/types.ts' {
  interface ActorDeps {
    salesforce(ws: string): SalesforceClient;
    intercom(ws: string): IntercomClient;
    mailer: Mailer;
    /** Local state (LMDB) lives under here. */
    dataDir: string;
    /** Base URL of the gateway, for links in emails. */
    publicUrl: string;
    /** Milliseconds; replaceable in tests. */
    now(): number;
  }
}

export {};
