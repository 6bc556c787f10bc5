// The nats.js request path as runtime/nats-tuning.ts leaves it: answers, failures and timeouts
// still settle requests as before, and a request that got its answer builds no error.
import { createRequire } from 'node:module';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type NatsConnection, type NatsError, connect } from 'nats';
import { TUNED_NATS_VERSION, connectNats, createLogger, tuneNats } from '../../runtime/index.ts';
import { USERS, startNatsServer, type NatsServerHandle } from '../helpers/nats-server.ts';

const require = createRequire(import.meta.url);
const core = require('nats/lib/nats-base-client/core.js') as { NatsError: { errorForCode: (...a: unknown[]) => unknown } };

const ECHO = 'peoplesync.test.echo';
const SILENT = 'peoplesync.test.silent';

let server: NatsServerHandle;
let nc: NatsConnection;
let responder: NatsConnection;
beforeAll(async () => {
  server = await startNatsServer();
  // The connection as workers make it; answers come from another one, whose writes are its own.
  nc = await connectNats({ servers: [server.url], replicas: 1, ...USERS.worker }, createLogger({ level: 'silent' }));
  expect(tuneNats()).toBe(true);
  responder = await connect({ servers: server.url, ...USERS.worker });
  responder.subscribe(ECHO, { callback: (err, m) => err || m.respond(m.data) });
  responder.subscribe(SILENT, { callback: () => undefined });
  await responder.flush();
});
afterAll(async () => {
  await nc?.close();
  await responder?.close();
  await server?.stop();
});

/** Counts calls of `obj[name]` while `fn` runs. */
async function counting<T>(obj: Record<string, unknown>, name: string, fn: () => Promise<T>): Promise<{ calls: number; result: T }> {
  const original = obj[name] as (...a: unknown[]) => unknown;
  let calls = 0;
  obj[name] = function counted(this: unknown, ...a: unknown[]) {
    calls += 1;
    return original.apply(this, a);
  };
  try {
    return { result: await fn(), calls };
  } finally {
    obj[name] = original;
  }
}

describe('nats.js request tuning', () => {
  it('applies to the pinned nats.js version', () => {
    expect((require('nats/package.json') as { version: string }).version).toBe(TUNED_NATS_VERSION);
  });

  it('answers requests without building an error for each', async () => {
    const { calls, result } = await counting(core.NatsError as never, 'errorForCode', () =>
      Promise.all(Array.from({ length: 200 }, (_, i) => nc.request(ECHO, new TextEncoder().encode(`m${i}`), { timeout: 5_000 }))),
    );
    expect(result.map((m) => new TextDecoder().decode(m.data))).toEqual(Array.from({ length: 200 }, (_, i) => `m${i}`));
    expect(calls).toBe(0);
  });

  it('still rejects a request nobody answers, and one that times out', async () => {
    await expect(nc.request('peoplesync.test.nobody', undefined, { timeout: 2_000 })).rejects.toMatchObject({
      code: '503',
    } satisfies Partial<NatsError>);
    await expect(nc.request(SILENT, undefined, { timeout: 300 })).rejects.toMatchObject({ code: 'TIMEOUT' } satisfies Partial<NatsError>);
    // The connection is still good afterwards.
    expect(new TextDecoder().decode((await nc.request(ECHO, new TextEncoder().encode('ok'))).data)).toBe('ok');
  });
});
