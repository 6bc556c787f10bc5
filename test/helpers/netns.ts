// Hosts on one machine: Linux network namespaces joined by veth pairs to a bridge, so that each
// process of a test runs on a "host" of its own with its own address, and a host can be cut off
// from the network (its link down) and brought back. Needs root (CI and the test machine run as
// root); `netnsAvailable()` says whether this machine can, and why not.
import { execFileSync, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';

export interface Host {
  name: string;
  /** The namespace's name (`ip netns exec <ns> ...`). */
  ns: string;
  ip: string;
  /** Take the host's link down: nothing goes in or out until up(). */
  down(): void;
  up(): void;
}

export interface Network {
  /** The address of this machine (the root namespace) on the bridge. */
  gateway: string;
  hosts: Map<string, Host>;
  addHost(name: string): Host;
  /** Remove every namespace, link and the bridge. */
  destroy(): void;
}

function ip(args: string[]): void {
  execFileSync('ip', args, { stdio: ['ignore', 'ignore', 'pipe'] });
}

/** Whether this machine lets us make network namespaces, or the reason it does not. */
export function netnsAvailable(): { ok: true } | { ok: false; reason: string } {
  if (process.platform !== 'linux') return { ok: false, reason: `network namespaces are Linux only (this is ${process.platform})` };
  const probe = `ps-probe-${randomBytes(3).toString('hex')}`;
  const add = spawnSync('ip', ['netns', 'add', probe], { encoding: 'utf8' });
  if (add.error) return { ok: false, reason: `\`ip\` (iproute2) could not be run: ${add.error.message}` };
  if (add.status !== 0) return { ok: false, reason: `\`ip netns add\` failed (root is needed): ${add.stderr.trim()}` };
  spawnSync('ip', ['netns', 'del', probe]);
  return { ok: true };
}

/**
 * A bridge on a /24 of 10.x.y.0 picked at random (so concurrent test files do not meet), this
 * machine at .1, each host added at the next address.
 */
export function createNetwork(): Network {
  const tag = randomBytes(3).toString('hex');
  const subnet = `10.${200 + (parseInt(tag.slice(0, 2), 16) % 50)}.${parseInt(tag.slice(2, 4), 16)}`;
  const bridge = `psbr${tag}`;
  const gateway = `${subnet}.1`;
  const hosts = new Map<string, Host>();
  const cleanup: Array<() => void> = [];
  ip(['link', 'add', bridge, 'type', 'bridge']);
  cleanup.push(() => ip(['link', 'del', bridge]));
  ip(['addr', 'add', `${gateway}/24`, 'dev', bridge]);
  ip(['link', 'set', bridge, 'up']);
  let next = 2;
  return {
    gateway,
    hosts,
    addHost(name) {
      const n = next++;
      const ns = `ps-${tag}-${name}`;
      const outside = `psv${tag}${n}`;
      const inside = `psi${tag}${n}`;
      const addr = `${subnet}.${n}`;
      ip(['netns', 'add', ns]);
      cleanup.push(() => ip(['netns', 'del', ns]));
      ip(['link', 'add', outside, 'type', 'veth', 'peer', 'name', inside]);
      cleanup.push(() => spawnSync('ip', ['link', 'del', outside]));
      ip(['link', 'set', inside, 'netns', ns]);
      ip(['link', 'set', outside, 'master', bridge]);
      ip(['link', 'set', outside, 'up']);
      ip(['-n', ns, 'addr', 'add', `${addr}/24`, 'dev', inside]);
      ip(['-n', ns, 'link', 'set', inside, 'up']);
      ip(['-n', ns, 'link', 'set', 'lo', 'up']);
      const host: Host = {
        name,
        ns,
        ip: addr,
        down: () => ip(['-n', ns, 'link', 'set', inside, 'down']),
        up: () => {
          ip(['-n', ns, 'link', 'set', inside, 'up']);
          ip(['-n', ns, 'route', 'replace', 'default', 'via', gateway]);
        },
      };
      ip(['-n', ns, 'route', 'add', 'default', 'via', gateway]);
      hosts.set(name, host);
      return host;
    },
    destroy() {
      for (const c of cleanup.reverse()) {
        try {
          c();
        } catch {
          // already gone (a namespace takes its links with it)
        }
      }
    },
  };
}
