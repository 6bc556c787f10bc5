// Each actor names the services it needs: the host refuses to start an actor whose services the
// worker does not provide (naming the actor and the service), gives each activation exactly what
// its actor named, and a handler or init reading a service its actor did not name does not compile.
// (That the worker provides every actor's services is the compiler's to check: buildServices
// returns `Services`, and `uses` takes only its keys; every worker start checks it again.)
import { describe, expect, it } from 'vitest';
import { type Uses, uses } from '../../actors/services.ts';
import { PollIntercom } from '../../protocol/index.ts';
import { type ActorContext, type HandlerContext, checkServices, defineActor, on, servicesOf } from '../../runtime/index.ts';

const writes = defineActor({ name: 'writes', needs: uses('salesforce', 'now') }).serve({});
const mails = defineActor({ name: 'mails', needs: uses('mailer') }).serve({});
const plain = defineActor({ name: 'plain' }).serve({});

describe('checkServices', () => {
  it('refuses an actor whose declared services are not provided, naming the actor and each service', () => {
    expect(() => checkServices([writes, mails, plain], { now: () => 0 })).toThrow(
      'missing services: actor writes needs salesforce, which this worker does not provide; ' +
        'actor mails needs mailer, which this worker does not provide',
    );
  });

  it('starts actors whose services are all provided, and actors that declare none without any', () => {
    expect(() => checkServices([writes, plain], { salesforce: () => null, now: () => 0, mailer: {} })).not.toThrow();
    expect(() => checkServices([plain], {})).not.toThrow();
  });

  it("gives an activation exactly the services its actor declared, not the worker's others", () => {
    const services = { salesforce: () => 'sf', now: () => 1, mailer: { send: 'm' }, intercom: () => 'ic' };
    expect(Object.keys(servicesOf(writes, services)).sort()).toEqual(['now', 'salesforce']);
    expect(servicesOf(writes, services).now).toBe(services.now);
    expect(servicesOf(plain, services)).toEqual({});
  });
});

// What follows is checked by the compiler (`npm run typecheck`): each `@ts-expect-error` fails the
// typecheck if its line stops being an error.
describe('typed deps', () => {
  it('types ctx.deps with exactly what the actor declared', () => {
    const readsIntercom = async (_body: unknown, ctx: HandlerContext<Uses<'now' | 'intercom'>>) => void ctx.deps.intercom(ctx.ws);
    const initReadsSalesforce = (ctx: ActorContext<Uses<'now' | 'salesforce'>>) => ctx.deps.salesforce(ctx.ws);
    const clockOnly = defineActor({
      name: 'clock-only',
      needs: uses('now'),
      init: (ctx) => ctx.deps.now(),
    }).serve({
      // @ts-expect-error: a handler reading a service its actor did not declare
      queues: [{ stage: 'icpoll', classes: ['event'], handlers: [on(PollIntercom, readsIntercom)] }],
    });
    // @ts-expect-error: an init reading a service its actor did not declare
    defineActor({ name: 'clock-only-2', needs: uses('now'), init: initReadsSalesforce });
    defineActor({
      name: 'none',
      // @ts-expect-error: an actor that declares nothing has no services
      init: (ctx) => ctx.deps.now(),
    });
    expect(clockOnly.needs?.names).toEqual(['now']);
  });
});
