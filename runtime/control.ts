// Control endpoints as a NATS micro service (`nats micro ls` lists it). Every process serves
// every endpoint of the actors it hosts in one queue group; an endpoint of a singleton actor is
// answered by that workspace's leader, to which other processes forward the request.
import { type Msg, type NatsConnection, type Service, type ServiceMsg, headers as natsHeaders } from 'nats';
import {
  ContentTypes,
  ControlError,
  type ControlDef,
  type DecodeLimits,
  type Encoding,
  Headers,
  contentTypeOf,
  decodeBody,
  encodeBody,
  leaderSubject,
  subject,
  validateBody,
  workspaceOf,
} from '../protocol/index.ts';
import type { Logger } from './logger.ts';
import type { Accepted, EndpointBinding } from './actor.ts';
import type { ActorContext } from './types.ts';

const VERB_HEADER = 'ps-verb';

export interface ControlHostHooks {
  /** The context and instance to answer in, or null when this process does not serve the
   * workspace (for a singleton: does not lead it). */
  context(actor: string, ws: string): { ctx: ActorContext; self: unknown } | null;
  /** For singletons: is this process the workspace's leader? */
  isLeader(actor: string, ws: string): boolean;
  singleton(actor: string): boolean;
  /** Whether this process serves the workspace at all (it is configured here). */
  serves(ws: string): boolean;
}

interface Served {
  actor: string;
  binding: EndpointBinding;
}

export class ControlPlane {
  private service: Service | null = null;
  private readonly endpoints = new Map<string, Served>();
  private readonly leaderSubs = new Map<string, { unsubscribe(): void }>();
  private readonly nc: NatsConnection;
  private readonly prefix: string;
  private readonly encoding: Encoding;
  private readonly limits: DecodeLimits;
  private readonly log: Logger;
  private readonly hooks: ControlHostHooks;

  constructor(nc: NatsConnection, prefix: string, encoding: Encoding, limits: DecodeLimits, log: Logger, hooks: ControlHostHooks) {
    this.nc = nc;
    this.prefix = prefix;
    this.encoding = encoding;
    this.limits = limits;
    this.log = log;
    this.hooks = hooks;
  }

  async start(actors: readonly { name: string; endpoints?: readonly EndpointBinding[] }[], version: string): Promise<void> {
    for (const a of actors) for (const b of a.endpoints ?? []) this.endpoints.set(b.def.verb, { actor: a.name, binding: b });
    if (this.endpoints.size === 0) return;
    this.service = await this.nc.services.add({
      name: 'peoplesync',
      version,
      description: `peoplesync control (${actors.map((a) => a.name).join(', ')})`,
      metadata: { prefix: this.prefix },
    });
    for (const [verb, s] of this.endpoints) {
      this.service.addEndpoint(verb.replace(/\./g, '-'), {
        subject: subject(this.prefix, { kind: 'ctl', ws: '*', verb }),
        metadata: { actor: s.actor, description: s.binding.def.description },
        handler: (err, msg) => {
          if (!err) void this.serve(verb, s, msg);
        },
      });
    }
  }

  /** A singleton's leader listens here for requests forwarded by other processes. */
  lead(actor: string, ws: string): void {
    const subj = leaderSubject(this.prefix, actor, ws);
    if (this.leaderSubs.has(subj)) return;
    const sub = this.nc.subscribe(subj, {
      callback: (err, msg) => {
        if (err) return;
        const verb = msg.headers?.get(VERB_HEADER) ?? '';
        const s = this.endpoints.get(verb);
        if (!s) return this.replyError(msg, new ControlError('unknown_verb', `no endpoint ${verb}`, { status: 404 }));
        void this.handleLocally(ws, s, msg);
      },
    });
    this.leaderSubs.set(subj, sub);
  }

  unlead(actor: string, ws: string): void {
    const subj = leaderSubject(this.prefix, actor, ws);
    this.leaderSubs.get(subj)?.unsubscribe();
    this.leaderSubs.delete(subj);
  }

  private async serve(verb: string, s: Served, msg: ServiceMsg): Promise<void> {
    const ws = workspaceOf(this.prefix, msg.subject) ?? '';
    if (this.hooks.singleton(s.actor) && !this.hooks.isLeader(s.actor, ws)) {
      await this.forward(verb, s, ws, msg, this.hooks.serves(ws));
      return;
    }
    await this.handleLocally(ws, s, msg);
  }

  /** `known`: this process serves the workspace. A workspace served nowhere has no leader either:
   * it is reported as unknown rather than as a leader that did not answer. */
  private async forward(verb: string, s: Served, ws: string, msg: ServiceMsg, known: boolean): Promise<void> {
    const h = natsHeaders();
    for (const [k, v] of msg.headers ?? []) for (const x of v) h.append(k, x);
    h.set(VERB_HEADER, verb);
    try {
      const r = await this.nc.request(leaderSubject(this.prefix, s.actor, ws), msg.data, { headers: h, timeout: 15_000 });
      msg.respond(r.data, { headers: r.headers });
    } catch (err) {
      if (!known) {
        this.replyError(msg, new ControlError('unknown_workspace', `workspace "${ws}" is unknown: no worker serves it`, { status: 404 }));
        return;
      }
      this.replyError(
        msg,
        new ControlError('no_leader', `no ${s.actor} leader for workspace ${ws} answered: ${(err as Error).message}`, {
          status: 503,
        }),
      );
    }
  }

  private async handleLocally(ws: string, s: Served, msg: Msg): Promise<void> {
    try {
      const target = this.hooks.context(s.actor, ws);
      if (!target) {
        if (this.hooks.singleton(s.actor)) {
          throw new ControlError('no_leader', `this process does not lead ${s.actor} for workspace ${ws} (any more); ask again`, {
            status: 503,
          });
        }
        // Served here, its instance still being built (endpoints are listened to from the start):
        // another process, or this one a moment later, answers.
        if (this.hooks.serves(ws)) {
          throw new ControlError('not_ready', `${s.actor} for workspace ${ws} is still starting here; ask again`, { status: 503 });
        }
        throw new ControlError('unknown_workspace', `workspace "${ws}" is not served here`, { status: 404 });
      }
      const def: ControlDef = s.binding.def;
      let accepted: Accepted<ActorContext, unknown, unknown>;
      try {
        // An empty request is `{}`; otherwise decoded within the limits as a work item is.
        accepted = s.binding.accept(msg.data.length === 0 ? {} : decodeBody(msg.data, requestContentType(msg), this.limits));
      } catch (err) {
        throw new ControlError('invalid_request', (err as Error).message, { status: 400 });
      }
      const reply = validateBody({ type: `${def.verb} reply`, schema: def.reply }, await accepted.run(target.ctx, target.self));
      const enc = this.replyEncoding(msg);
      const h = natsHeaders();
      h.set(Headers.contentType, contentTypeOf(enc));
      msg.respond(encodeBody(reply, enc), { headers: h });
    } catch (err) {
      this.replyError(msg, err);
    }
  }

  /** Answer in the encoding the request used, so `nats req` with a JSON body reads JSON back. */
  private replyEncoding(msg: Msg): Encoding {
    if (!msg.headers?.get(Headers.contentType) && !msg.data.length) return this.encoding;
    return requestContentType(msg) === ContentTypes.json ? 'json' : 'msgpack';
  }

  private replyError(msg: Msg, err: unknown): void {
    const e = err instanceof ControlError ? err : new ControlError('internal', (err as Error)?.message ?? String(err), { status: 500 });
    if (e.status >= 500) this.log.error({ code: e.code, err: e }, 'control request failed');
    const enc = this.replyEncoding(msg);
    const h = natsHeaders();
    h.set(Headers.contentType, contentTypeOf(enc));
    h.set('Nats-Service-Error', e.message.slice(0, 500).replace(/[\r\n]+/g, ' '));
    h.set('Nats-Service-Error-Code', String(e.status));
    msg.respond(encodeBody({ error: { code: e.code, message: e.message, status: e.status, details: e.details } }, enc), { headers: h });
  }

  async stop(): Promise<void> {
    for (const sub of this.leaderSubs.values()) sub.unsubscribe();
    this.leaderSubs.clear();
    await this.service?.stop().catch(() => undefined);
  }
}

/** The request's content-type; without the header, a body that starts with `{` is JSON (a person
 * typing `nats req subject '{}'`), anything else msgpack. */
function requestContentType(msg: Msg): string {
  const ct = msg.headers?.get(Headers.contentType);
  if (ct) return ct;
  return msg.data.length && msg.data[0] === 0x7b ? ContentTypes.json : ContentTypes.msgpack;
}
