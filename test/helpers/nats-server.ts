// Start a real nats-server for one test file: the project's nats.conf with a free port, a free
// monitoring port and a fresh temporary store, stopped (and its store removed) on dispose.
import { DEV_USERS, type LocalNats, derivedConfig, freePort, startLocalNats } from '../../cli/local-nats.ts';

export { derivedConfig, freePort };

export const USERS = DEV_USERS;

export type NatsServerHandle = LocalNats;

export async function startNatsServer(o: { baseConfig?: string } = {}): Promise<NatsServerHandle> {
  return startLocalNats(o);
}
