// The two NATS configurations the project ships define the same users with the same permissions:
// a cluster node must refuse and allow what the single node does (test/e2e/nats-permissions.test.ts
// probes nats.conf; the cluster tests run on docs/nats-cluster.conf).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../../cli/local-nats.ts';

const read = (file: string) => readFileSync(join(REPO_ROOT, file), 'utf8');
/** From the roles' permissions to the end: the accounts and users. */
const accounts = (conf: string) => conf.slice(conf.indexOf('\nWORKER_PERMISSIONS = {'));

describe('the NATS configurations', () => {
  it('nats.conf and docs/nats-cluster.conf define the same accounts, users and permissions', () => {
    const single = accounts(read('nats.conf'));
    expect(single).toMatch(/user: worker,[\s\S]*user: gateway,[\s\S]*user: operator,[\s\S]*user: observer,/);
    expect(accounts(read('docs/nats-cluster.conf'))).toBe(single);
  });

  it('both carry the same message size limit and the same watch on vanished clients', () => {
    for (const key of ['max_payload', 'ping_interval', 'ping_max']) {
      const value = (conf: string) => new RegExp(`^${key}: (.+)$`, 'm').exec(conf)?.[1];
      expect(value(read('nats.conf'))).toBeDefined();
      expect(value(read('docs/nats-cluster.conf'))).toBe(value(read('nats.conf')));
    }
  });
});
