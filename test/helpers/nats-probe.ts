// Probing what a NATS user may do: a request, a publish or a subscription, and whether the server
// refused it for lack of permission (a `Permissions Violation` the server sends back) or answered.
import { type Msg, type NatsConnection, connect } from 'nats';
import { type NatsServerHandle, USERS } from './nats-server.ts';

export type ProbeUser = keyof typeof USERS;

export interface Prober {
  nc: NatsConnection;
  /** A request the server must refuse: rejects unless the refusal names the subject. */
  refusedRequest(subject: string, body?: unknown): Promise<void>;
  /** A request that must be answered (with a message, not a JetStream error): the answer. */
  answered(subject: string, body?: unknown): Promise<Msg>;
  /** A publish (no reply expected) the server must refuse. */
  refusedPublish(subject: string, body?: unknown): Promise<void>;
  /** A subscription the server must refuse. */
  refusedSubscription(subject: string): Promise<void>;
  close(): Promise<void>;
}

const encode = (body: unknown): Uint8Array =>
  body === undefined ? new Uint8Array() : body instanceof Uint8Array ? body : new TextEncoder().encode(JSON.stringify(body));

export async function prober(server: NatsServerHandle, user: ProbeUser): Promise<Prober> {
  const { user: name, pass, inboxPrefix } = USERS[user];
  const nc = await connect({ servers: server.url, user: name, pass, inboxPrefix, name: `probe-${user}` });
  const refusals: string[] = [];
  void (async () => {
    for await (const s of nc.status()) {
      const pc = (s as unknown as { permissionContext?: { operation: string; subject: string } }).permissionContext;
      if (s.type === 'error' && pc) refusals.push(`${pc.operation} ${pc.subject}`);
    }
  })();
  const refusedAsync = async (what: string) => {
    const deadline = Date.now() + 5_000;
    while (!refusals.includes(what)) {
      if (Date.now() > deadline) throw new Error(`${user}: expected "${what}" to be refused; refusals: ${refusals.join(', ')}`);
      await new Promise((r) => setTimeout(r, 20));
    }
  };
  return {
    nc,
    async refusedRequest(subject, body) {
      const err = await nc.request(subject, encode(body), { timeout: 5_000 }).then(
        (m) => new Error(`${user}: ${subject} was answered: ${new TextDecoder().decode(m.data).slice(0, 300)}`),
        (e: Error) => e,
      );
      if (!err.message.includes(`Permissions Violation for Publish to "${subject}"`)) throw err;
    },
    async answered(subject, body) {
      const m = await nc.request(subject, encode(body), { timeout: 5_000 });
      const code = m.headers?.code ?? 0;
      if (code >= 300) throw new Error(`${user}: ${subject} answered ${code} ${m.headers?.description ?? ''}`);
      const text = new TextDecoder().decode(m.data);
      if (text.startsWith('{"type":"io.nats.jetstream.api') && text.includes('"error"')) throw new Error(`${user}: ${subject}: ${text}`);
      return m;
    },
    async refusedPublish(subject, body) {
      nc.publish(subject, encode(body));
      await nc.flush();
      await refusedAsync(`publish ${subject}`);
    },
    async refusedSubscription(subject) {
      nc.subscribe(subject);
      await nc.flush();
      await refusedAsync(`subscription ${subject}`);
    },
    close: () => nc.close(),
  };
}
