import { describe, expect, it } from 'vitest';
import { checkWorkspaceId, subject, topology, workConsumer, DEFAULT_QUEUE_TUNING } from '../../protocol/index.ts';
import { ConfigError, loadConfig } from '../../runtime/index.ts';

describe('subjects', () => {
  it('builds every kind of subject from prefix, workspace, stage and class', () => {
    expect(subject('peoplesync', { kind: 'work', ws: 'acme', stage: 'match', cls: 'bulk' })).toBe('peoplesync.work.acme.match.bulk');
    expect(subject('corp.sync', { kind: 'evt', ws: 'acme', topic: 'bulk.progress' })).toBe('corp.sync.evt.acme.bulk.progress');
    expect(subject('peoplesync', { kind: 'ctl', ws: 'acme', verb: 'bulk.start' })).toBe('peoplesync.ctl.acme.bulk.start');
    expect(subject('peoplesync', { kind: 'dlq', ws: 'acme', stage: 'match' })).toBe('peoplesync.dlq.acme.match');
  });

  it('refuses workspace ids that would break subjects', () => {
    for (const bad of ['a.b', 'a b', '*', '>', '']) expect(() => checkWorkspaceId(bad)).toThrow(/workspace id/);
  });

  it('gives leader stages per-workspace consumers so work-queue filters never overlap', () => {
    const t = topology();
    expect(workConsumer(t, 'match', 'bulk', null, DEFAULT_QUEUE_TUNING).filterSubject).toBe('peoplesync.work.*.match.bulk');
    expect(workConsumer(t, 'coord', 'bulk', 'acme', DEFAULT_QUEUE_TUNING)).toMatchObject({
      durable: 'coord_bulk_acme',
      filterSubject: 'peoplesync.work.acme.coord.bulk',
    });
    expect(() => workConsumer(t, 'quota', 'event', null, DEFAULT_QUEUE_TUNING)).toThrow(/per workspace/);
  });
});

describe('config', () => {
  it('lists every problem of a bad configuration at once', () => {
    let err: ConfigError | undefined;
    try {
      loadConfig({
        env: { PEOPLESYNC_LOG_LEVEL: 'loud' },
        overrides: {
          prefix: 'bad prefix',
          nats: { servers: [], user: 'x' },
          workspaces: [
            { id: 'a.b', salesforce: { auth: { kind: 'password' } }, intercom: { token: '' } },
            { id: 'ok', salesforce: { auth: { kind: 'token', instanceUrl: 'http://x', accessToken: 't' } }, intercom: { token: 't' } },
            { id: 'ok', salesforce: { auth: { kind: 'token', instanceUrl: 'http://x', accessToken: 't' } }, intercom: { token: 't' } },
          ],
        },
      });
    } catch (e) {
      err = e as ConfigError;
    }
    expect(err).toBeInstanceOf(ConfigError);
    const text = err!.problems.join('\n');
    expect(text).toMatch(/^prefix:/m);
    expect(text).toMatch(/^nats\.servers:/m);
    expect(text).toMatch(/^logLevel:/m);
    expect(text).toMatch(/^workspaces\.0\.id:/m);
    expect(text).toMatch(/^workspaces\.0\.salesforce\.auth/m);
    expect(text).toMatch(/^workspaces\.0\.intercom\.token:/m);
    expect(err!.problems.length).toBeGreaterThanOrEqual(6);
  });

  it('reads a file with ${ENV} references and environment overrides', async () => {
    const { writeFileSync, mkdtempSync } = await import('node:fs');
    const { join } = await import('node:path');
    const { tmpdir } = await import('node:os');
    const f = join(mkdtempSync(join(tmpdir(), 'ps-cfg-')), 'c.json');
    writeFileSync(
      f,
      JSON.stringify({
        workspaces: [
          {
            id: 'w',
            salesforce: { auth: { kind: 'token', instanceUrl: 'http://sf', accessToken: '${SF_TOKEN}' } },
            intercom: { token: '${IC_TOKEN}' },
          },
        ],
      }),
    );
    const cfg = loadConfig({ file: f, env: { SF_TOKEN: 's3cr3t', IC_TOKEN: 'ic', PEOPLESYNC_NATS_URL: 'nats://a:1, nats://b:2' } });
    expect(cfg.nats.servers).toEqual(['nats://a:1', 'nats://b:2']);
    expect(cfg.workspaces[0].salesforce.auth).toMatchObject({ accessToken: 's3cr3t' });
    expect(() => loadConfig({ file: f, env: { IC_TOKEN: 'ic' } })).toThrow(/SF_TOKEN is referenced/);
  });

  it('takes an inbox prefix of the user’s own (nats.conf), and refuses one with wildcards', () => {
    expect(loadConfig({ env: { PEOPLESYNC_NATS_INBOX_PREFIX: '_INBOX_operator' } }).nats.inboxPrefix).toBe('_INBOX_operator');
    expect(loadConfig({ env: {} }).nats.inboxPrefix).toBeUndefined();
    expect(() => loadConfig({ env: {}, overrides: { nats: { inboxPrefix: '_INBOX.>' } } })).toThrow(
      /nats\.inboxPrefix: must be dot-separated/,
    );
  });
});
