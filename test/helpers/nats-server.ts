// Start a real nats-server for one test file: the project's nats.conf with a free port, a free
// monitoring port and a fresh temporary store, stopped (and its store removed) on dispose. Besides
// the users of nats.conf, a test-only `admin` may do anything in the account: tests use it to
// purge or delete what no peoplesync user may (as a NATS administrator would).
import { DEV_USERS, type LocalNats, derivedConfig, freePort, startLocalNats } from '../../cli/local-nats.ts';

export { derivedConfig, freePort };

export const ADMIN = { user: 'admin', pass: 'admin-test-password', inboxPrefix: '_INBOX' } as const;
export const ADMIN_USER = `{ user: ${ADMIN.user}, password: ${ADMIN.pass} }`;

export const USERS = { ...DEV_USERS, admin: ADMIN };

export type NatsServerHandle = LocalNats;

export async function startNatsServer(o: { baseConfig?: string; extraUsers?: string[] } = {}): Promise<NatsServerHandle> {
  return startLocalNats({ ...o, extraUsers: [ADMIN_USER, ...(o.extraUsers ?? [])] });
}

/** The permission violations the server logged, for one user or all. */
export function violations(server: { log(): string }, user?: string): string[] {
  return server
    .log()
    .split('\n')
    .filter((l) => /Violation/.test(l) && (!user || l.includes(`/user:${user}"`)));
}
