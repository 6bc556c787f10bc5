import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { ControlError, control } from '../../protocol/index.ts';
import { encode } from '@msgpack/msgpack';
import { createInbox } from 'nats';
import { type ActorDef, decodeReply, endpoint } from '../../runtime/index.ts';
import { USERS, startNatsServer, type NatsServerHandle } from '../helpers/nats-server.ts';
import { connectAs, startHost, waitFor } from '../helpers/host.ts';

const WhoLeads = control(
  'lead-test',
  'test.who',
  'Which host answers',
  z.object({ fail: z.boolean().default(false) }),
  z.object({ host: z.string(), ws: z.string() }),
);

let server: NatsServerHandle;
beforeAll(async () => {
  server = await startNatsServer();
});
afterAll(async () => {
  await server?.stop();
});

function leader(name: string, log: string[]): ActorDef {
  return {
    name: 'lead-test',
    singleton: true,
    endpoints: [
      endpoint(WhoLeads, async (body, ctx) => {
        if (body.fail) throw new ControlError('refused', 'asked to fail', { status: 409, details: { problems: ['a', 'b'] } });
        return { host: name, ws: ctx.ws };
      }),
    ],
    init: () => {
      log.push(`${name}:start`);
    },
    dispose: () => {
      log.push(`${name}:stop`);
    },
  };
}

describe('singleton leases and control endpoints', () => {
  it('answers through the leader from any host, hands over when the leader stops renewing', async () => {
    const log: string[] = [];
    const a = await startHost(server, [leader('a', log)]);
    await waitFor(() => log.includes('a:start'), { what: 'a leading' });
    const b = await startHost(server, [leader('b', log)]);
    try {
      // b is not the leader: its endpoint forwards to a.
      for (let i = 0; i < 6; i++) {
        expect(await b.host.messenger.request(WhoLeads, 'ws1', {})).toEqual({ host: 'a', ws: 'ws1' });
      }
      const err = await b.host.messenger.request(WhoLeads, 'ws1', { fail: true }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(ControlError);
      expect(err).toMatchObject({ code: 'refused', status: 409, details: { problems: ['a', 'b'] } });
      // A request that skips client-side validation is refused by the endpoint with the reason.
      const raw = await b.nc.request('peoplesync.ctl.ws1.test.who', encode({ fail: 'yes' }), { timeout: 5_000 });
      expect(raw.headers?.get('Nats-Service-Error-Code')).toBe('400');
      let bad: unknown;
      try {
        decodeReply(WhoLeads, raw.data, 'application/msgpack');
      } catch (e) {
        bad = e;
      }
      expect(bad).toMatchObject({ code: 'invalid_request', message: expect.stringMatching(/fail: .*boolean/) });
      // `nats req subject '{}'`: a JSON body without headers is answered in JSON.
      const json = await b.nc.request('peoplesync.ctl.ws1.test.who', new TextEncoder().encode('{}'), { timeout: 5_000 });
      expect(JSON.parse(new TextDecoder().decode(json.data))).toEqual({ host: 'a', ws: 'ws1' });
      // a dies without releasing its lease: b must wait for expiry plus one TTL before acting.
      const killedAt = Date.now();
      await a.kill();
      await waitFor(() => log.includes('b:start'), { what: 'b leading', timeoutMs: 10_000 });
      const took = Date.now() - killedAt;
      expect(took).toBeGreaterThanOrEqual(1_500); // at least one TTL
      expect(took).toBeLessThan(6_000); // expiry + poll + one TTL, with room
      expect(await b.host.messenger.request(WhoLeads, 'ws1', {})).toEqual({ host: 'b', ws: 'ws1' });
    } finally {
      await b.stop();
    }
  });

  it('lists the control service for `nats micro ls` ($SRV.PING)', async () => {
    const log: string[] = [];
    const a = await startHost(server, [leader('a', log)]);
    try {
      const nc = await connectAs(server, 'operator');
      const found: string[] = [];
      const sub = nc.subscribe(createInbox(USERS.operator.inboxPrefix), { max: 1 });
      void (async () => {
        for await (const m of sub) found.push(new TextDecoder().decode(m.data));
      })();
      nc.publish('$SRV.PING.peoplesync', new Uint8Array(), { reply: sub.getSubject() });
      await waitFor(() => found.length > 0, { what: 'service ping reply' });
      expect(JSON.parse(found[0])).toMatchObject({ name: 'peoplesync', type: 'io.nats.micro.v1.ping_response' });
      await nc.close();
    } finally {
      await a.stop();
    }
  });

  it("reports package.json's version as the control service's version ($SRV.INFO)", async () => {
    const log: string[] = [];
    const a = await startHost(server, [leader('a', log)]);
    try {
      const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
      const nc = await connectAs(server, 'operator');
      const found: string[] = [];
      const sub = nc.subscribe(createInbox(USERS.operator.inboxPrefix), { max: 1 });
      void (async () => {
        for await (const m of sub) found.push(new TextDecoder().decode(m.data));
      })();
      nc.publish('$SRV.INFO.peoplesync', new Uint8Array(), { reply: sub.getSubject() });
      await waitFor(() => found.length > 0, { what: 'service info reply' });
      expect(JSON.parse(found[0])).toMatchObject({ name: 'peoplesync', type: 'io.nats.micro.v1.info_response', version: pkg.version });
      await nc.close();
    } finally {
      await a.stop();
    }
  });

  it('lets the observer read events but not publish work or control requests', async () => {
    const obs = await connectAs(server, 'observer');
    const errors: string[] = [];
    void (async () => {
      for await (const s of obs.status())
        if (s.type === 'error') {
          const pc = (s as unknown as { permissionContext?: { operation: string; subject: string } }).permissionContext;
          errors.push(pc ? `${pc.operation} ${pc.subject}` : String(s.data));
        }
    })();
    obs.publish('peoplesync.work.ws1.notify.event', new Uint8Array([1]));
    obs.subscribe('peoplesync.work.>');
    const evt = obs.subscribe('peoplesync.evt.>'); // allowed
    await obs.flush();
    await waitFor(() => errors.length >= 2, { what: 'two permission violations' });
    expect(errors).toContain('publish peoplesync.work.ws1.notify.event');
    expect(errors).toContain('subscription peoplesync.work.>');
    await expect(obs.request('peoplesync.ctl.ws1.bulk.status', new Uint8Array(), { timeout: 500 })).rejects.toThrow();
    expect(evt.isClosed()).toBe(false);
    await obs.close();
  });
});
