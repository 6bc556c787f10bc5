// The oldest nats-server peoplesync runs on, checked on connecting: 2.11 brought what the runtime
// is built on (batched direct gets for index, link and run reads; per-message TTL for leases).
import type { NatsConnection } from 'nats';

export const MIN_NATS_SERVER = '2.11.0';

export class NatsServerTooOldError extends Error {
  override name = 'NatsServerTooOldError';
}

/** [major, minor, patch] of "2.11.0" or "v2.15.3-RC.1"; a pre-release counts as before its release. */
function parts(version: string): number[] | null {
  const m = /^v?(\d+)\.(\d+)\.(\d+)(-\S+)?$/.exec(version.trim());
  if (!m) return null;
  return [Number(m[1]), Number(m[2]), Number(m[3]), m[4] ? 0 : 1];
}

/** Is `version` at least `minimum`? An unreadable version is not. */
export function versionAtLeast(version: string, minimum: string): boolean {
  const v = parts(version);
  const min = parts(minimum);
  if (!v || !min) return false;
  for (let i = 0; i < v.length; i++) if (v[i] !== min[i]) return v[i] > min[i];
  return true;
}

/** Refuses a connection to a server older than `minimum`, naming both versions. */
export function requireNatsServer(nc: NatsConnection, minimum = MIN_NATS_SERVER): void {
  const version = nc.info?.version ?? 'unknown';
  if (versionAtLeast(version, minimum)) return;
  throw new NatsServerTooOldError(
    `nats-server ${version} at ${nc.getServer()} is too old: peoplesync needs nats-server ${minimum} or newer ` +
      '(batched direct gets, per-message TTL); upgrade it (README: Prerequisites)',
  );
}
