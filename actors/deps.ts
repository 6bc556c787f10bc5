// What the worker wires into every actor context: clients per workspace and the mailer.
import type { IntercomClient, Mailer, SalesforceClient } from '../connectors/index.ts';
import type { Config } from '../runtime/index.ts';

declare module '../runtime/types.ts' {
  interface ActorDeps {
    salesforce(ws: string): SalesforceClient;
    intercom(ws: string): IntercomClient;
    mailer: Mailer;
    /** Local state (LMDB) lives under here. */
    dataDir: string;
    /** Base URL of the console, for links in emails. */
    publicUrl: string;
    /** Milliseconds; replaceable in tests. */
    now(): number;
    /** Where the gateway listens (port 0: any free port), and its public listener if any. */
    http: Config['http'];
    /** Who may sign in to the console and the API. */
    console: Config['console'];
    /** The Intercom client secret that signs this workspace's webhooks; undefined when none is set. */
    webhookSecret(ws: string): string | undefined;
    /** Whether to listen to the workspace's Salesforce change events (config `salesforce.changeEvents`). */
    changeEvents(ws: string): boolean;
    /** A round trip to NATS, for health checks. */
    natsHealth(): Promise<{ connected: boolean; rttMs: number | null; server: string | null }>;
  }
}

export {};
