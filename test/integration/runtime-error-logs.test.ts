// Errors are logged whole: type, message, stack and cause (with its own stack), secrets redacted,
// from the runtime's own log calls (here: a work item that fails for good).
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { workMessage } from '../../protocol/index.ts';
import { createLogger, on, type ActorDef } from '../../runtime/index.ts';
import { startHost, waitFor } from '../helpers/host.ts';
import { startNatsServer, type NatsServerHandle } from '../helpers/nats-server.ts';

const Ping = workMessage('notify.test-log-ping.v1', 'notify', z.object({ n: z.number().int() }));

const failing: ActorDef = {
  name: 'notifier',
  queues: [
    {
      stage: 'notify',
      classes: ['event'],
      concurrency: 1,
      tuning: { ackWaitMs: 1_000, maxDeliver: 1 },
      handlers: [
        on(Ping, async () => {
          const cause = Object.assign(new Error('HTTP 400 from the service'), { headers: { authorization: 'Bearer secret-token-1' } });
          throw new Error('write refused', { cause });
        }),
      ],
    },
  ],
};

let server: NatsServerHandle;
beforeAll(async () => {
  server = await startNatsServer();
});
afterAll(async () => {
  await server?.stop();
});

describe('error logs', () => {
  it('keep the stack and the cause of an error, and redact its secrets', async () => {
    const lines: string[] = [];
    const destination = new Writable({
      write(chunk: Buffer, _enc, cb) {
        lines.push(...chunk.toString().split('\n').filter(Boolean));
        cb();
      },
    });
    const h = await startHost(server, [failing], { log: createLogger({ level: 'info', destination }) });
    try {
      await h.host.messenger.publish(Ping, 'ws1', { n: 1 }, { cls: 'event' });
      const line = await waitFor(() => lines.find((l) => l.includes('work item to the dead-letter stream')), { what: 'the log line' });
      const { err } = JSON.parse(line) as { err: Record<string, unknown> & { cause: Record<string, unknown> } };
      expect(err).toMatchObject({ type: 'Error', message: 'write refused', stack: expect.stringMatching(/^Error: write refused\n\s+at /) });
      expect(err.cause).toMatchObject({
        type: 'Error',
        message: 'HTTP 400 from the service',
        stack: expect.stringMatching(/^Error: HTTP 400 from the service\n\s+at /),
        headers: { authorization: '[redacted]' },
      });
      expect(line).not.toContain('secret-token-1');
    } finally {
      await h.stop();
    }
  });
});
