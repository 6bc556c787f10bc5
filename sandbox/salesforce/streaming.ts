// The Streaming API endpoint, /cometd/<version>: Bayeux (CometD) served by faye, as Salesforce
// serves it to jsforce's streaming client (API-FACTS "Change events"). Every message must come with
// a valid session (`Authorization: OAuth <token>`); one without is refused with advice not to
// reconnect, which is how Salesforce tells a client to get a new session. The handshake answers
// `ext.replay: true`; a subscription's `ext.replay` {channel: replayId} gets the kept events after
// that id (-1: new ones only, -2: all kept). Streaming requests are not charged to the API limit.
import type { IncomingMessage, ServerResponse } from 'node:http';
import faye from 'faye';
import type { ChangeEventLog } from './change-events.ts';
import type { SessionStore } from './oauth.ts';

interface BayeuxMessage {
  channel: string;
  clientId?: string;
  subscription?: string;
  error?: string;
  successful?: boolean;
  advice?: Record<string, unknown>;
  ext?: Record<string, unknown>;
}
type Next = (m: BayeuxMessage) => void;
interface Adapter {
  addExtension(ext: {
    incoming?: (m: BayeuxMessage, req: IncomingMessage, next: Next) => void;
    outgoing?: (m: BayeuxMessage, req: IncomingMessage, next: Next) => void;
  }): void;
  getClient(): { publish(channel: string, data: unknown): unknown; disconnect(): void };
  handle(req: IncomingMessage, res: ServerResponse): void;
  on(event: 'subscribe', listener: (clientId: string, channel: string) => void): void;
  close(): void;
}
const NodeAdapter = (faye as unknown as { NodeAdapter: new (o: { mount: string; timeout: number }) => Adapter }).NodeAdapter;

const AUTH_INVALID = '401::Authentication invalid';

export class StreamingEndpoint {
  private readonly adapter: Adapter;
  /** Replay asked for by a subscription not yet made: `<clientId> <channel>` -> replay id. */
  private readonly replays = new Map<string, number>();
  private readonly stopPublishing: () => void;

  constructor(
    private readonly log: ChangeEventLog,
    private readonly sessions: SessionStore,
  ) {
    // A long poll held open at most this long (s): well under the connectors' HTTP timeouts.
    this.adapter = new NodeAdapter({ mount: '/cometd', timeout: 10 });
    this.adapter.addExtension({
      incoming: (m, req, next) => this.incoming(m, req, next),
      outgoing: (m, _req, next) => next(this.outgoing(m)),
    });
    this.adapter.on('subscribe', (clientId, channel) => this.replay(clientId, channel));
    const client = this.adapter.getClient();
    this.stopPublishing = log.onPublish((channel, message) => void client.publish(channel, message));
  }

  static handles(path: string): boolean {
    return /^\/cometd\/\d+\.\d+(\/.*)?$/.test(path);
  }

  handle(req: IncomingMessage, res: ServerResponse): void {
    this.adapter.handle(req, res);
  }

  close(): void {
    this.stopPublishing();
    // The server's own client, once it has published, polls in process on timers of its own: left
    // connected, it keeps a sandbox process from exiting.
    this.adapter.getClient().disconnect();
    this.adapter.close();
  }

  private incoming(m: BayeuxMessage, req: IncomingMessage | undefined, next: Next): void {
    // The server's own publishing client comes with no request.
    if (req) {
      const token = /^(?:OAuth|Bearer) (.+)$/.exec(String(req.headers.authorization ?? ''))?.[1];
      if (!this.sessions.valid(token)) {
        m.error = AUTH_INVALID;
        return next(m);
      }
    }
    if (m.channel === '/meta/subscribe' && m.clientId && m.subscription) {
      const asked = (m.ext?.replay as Record<string, unknown> | undefined)?.[m.subscription];
      if (typeof asked === 'number') this.replays.set(`${m.clientId} ${m.subscription}`, asked);
    }
    next(m);
  }

  private outgoing(m: BayeuxMessage): BayeuxMessage {
    if (m.error === AUTH_INVALID) {
      return { ...m, advice: { reconnect: 'none' }, ext: { sfdc: { failureReason: AUTH_INVALID } } };
    }
    if (m.channel === '/meta/handshake' && m.successful) return { ...m, ext: { ...m.ext, replay: true, 'payload.format': true } };
    return m;
  }

  /** Kept events a new subscription asked for go out on its channel (a subscriber that already
   * had them sees their replay ids again and drops them). */
  private replay(clientId: string, channel: string): void {
    const key = `${clientId} ${channel}`;
    const from = this.replays.get(key);
    this.replays.delete(key);
    if (from === undefined) return;
    const client = this.adapter.getClient();
    for (const message of this.log.since(channel, from)) void client.publish(channel, message);
  }
}
