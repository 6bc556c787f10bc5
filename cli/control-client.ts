// Control requests from the command line: connect, send one typed request, close.
import type { NatsConnection } from 'nats';
import { type ControlDef, type EventDef, Headers, type ReplyOf, decodeMessage, eventFilter, subject } from '../protocol/index.ts';
import { type Config, Messenger, connectNats, createLogger } from '../runtime/index.ts';
import type { z } from 'zod';

export interface ControlClient {
  request<C extends ControlDef>(def: C, body: z.input<C['request']>, timeoutMs?: number): Promise<ReplyOf<C>>;
  nc: NatsConnection;
  close(): Promise<void>;
}

export async function controlClient(cfg: Config, ws: string): Promise<ControlClient> {
  const nc = await connectNats(cfg.nats, createLogger({ level: 'warn' }), 'peoplesync-cli');
  const m = new Messenger(nc, cfg.prefix, cfg.encoding);
  return {
    nc,
    request: (def, body, timeoutMs) => m.request(def, ws, body, timeoutMs),
    close: () => nc.close(),
  };
}

/** Hears the events of `defs` in a workspace, each decoded and checked by its schema (a message
 * that is none of them is ignored), until the returned function is called. */
export function followEvents(
  nc: NatsConnection,
  prefix: string,
  ws: string,
  defs: readonly EventDef[],
  heard: (type: string, body: unknown) => void,
): () => void {
  const subs = defs.map((def) =>
    nc.subscribe(subject(prefix, { kind: 'evt', ws, topic: eventFilter(def) }), {
      callback: (err, m) => {
        if (err) return;
        try {
          const { def: got, body } = decodeMessage(m.headers?.get(Headers.type), m.data, m.headers?.get(Headers.contentType));
          heard(got.type, body);
        } catch {
          // not one of ours: ignore
        }
      },
    }),
  );
  return () => {
    for (const s of subs) s.unsubscribe();
  };
}
