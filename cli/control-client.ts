// Control requests from the command line: connect, send one typed request, close.
import type { NatsConnection } from 'nats';
import type { ControlDef, ReplyOf } from '../protocol/index.ts';
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
