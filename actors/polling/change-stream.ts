// Near real time: while this process leads the workspace's change stream, it listens to
// Salesforce's change events and asks at once for a poll of the objects that changed, so a change
// reaches Intercom within a second or two instead of a poll interval. The periodic poll stays the
// safety net (an event lost, the stream down). Events that cannot matter ask for nothing: changes
// peoplesync made itself, of objects no mapping names, or of fields the sync does not read.
// Events close together share one poll. The last replay id handled is kept in KV, so a new leader
// (or a restart) resumes after it and an event that came meanwhile is not missed.
import type { ChangeSubscription, SfChangeEvent, SfObject } from '../../connectors/index.ts';
import { ChangeStreamSchema, Keys, ScanChanges, type WorkspaceSettings, kvValue } from '../../protocol/index.ts';
import type { ActorContext } from '../../runtime/index.ts';
import type { Uses } from '../services.ts';
import { WorkspaceFacts, fieldsToRead } from '../domain/index.ts';
import { eventMatters } from './plan.ts';

type Ctx = ActorContext<Uses<'salesforce' | 'now'>>;

/** Events this close together share one poll: a quarter second more of latency (far inside the
 * two seconds aimed at) for a call per window instead of one per event when changes flow. */
export const GATHER_MS = 250;
/** The replay id handled is stored at most this often while nothing asks for a poll. */
const REMEMBER_MS = 5_000;
/** A subscription that failed is tried again after this long. */
const RETRY_MS = 5_000;

export class ChangeStream {
  private sub: ChangeSubscription | null = null;
  private stopWatch: (() => void) | null = null;
  private settings: WorkspaceSettings | null = null;
  private me: string | null = null;
  private readonly dirty = new Set<SfObject>();
  private gather: NodeJS.Timeout | null = null;
  private timer: NodeJS.Timeout | null = null;
  /** The last replay id seen, and the last whose poll (if it needed one) has been asked for. */
  private handled = -1;
  private covered = -1;
  private remembered = -1;
  private stopped = false;
  private readonly ctx: Ctx;
  private readonly facts: WorkspaceFacts;

  constructor(ctx: Ctx) {
    this.ctx = ctx;
    this.facts = new WorkspaceFacts(ctx);
  }

  async start(): Promise<void> {
    if (!(this.ctx.config.workspaces[this.ctx.ws]?.changeEvents ?? false)) return;
    this.stopWatch = await this.facts.watch((s) => {
      this.settings = s;
    });
    // A replay id not of its schema is handled as a missing one.
    const stored = kvValue(ChangeStreamSchema, (await (await this.ctx.kv('cursors')).getRaw(Keys.changeStream(this.ctx.ws)))?.value);
    this.handled = this.covered = this.remembered = stored?.replayId ?? -1;
    this.timer = setInterval(() => {
      // Kept in memory meanwhile: the next round (or the next poll asked) stores it.
      this.remember().catch((err: unknown) => this.ctx.log.warn({ err }, 'storing the change events replay id failed'));
    }, REMEMBER_MS);
    void this.subscribe();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    if (this.gather) clearTimeout(this.gather);
    this.stopWatch?.();
    await this.sub?.close();
  }

  private async subscribe(): Promise<void> {
    const sf = this.ctx.deps.salesforce(this.ctx.ws);
    try {
      this.me = await sf.userId();
      const sub = await sf.subscribeChanges({
        replayFrom: this.covered,
        onEvent: (e) => this.onEvent(e),
        onDown: (err) => this.ctx.log.warn({ err }, 'salesforce change events: subscribing again'),
      });
      if (this.stopped) await sub.close();
      else this.sub = sub;
      this.ctx.log.info({ replayFrom: this.covered }, 'listening to salesforce change events');
    } catch (err) {
      this.ctx.log.warn({ err }, 'salesforce change events unavailable; polling only until they are');
      if (!this.stopped) setTimeout(() => void this.subscribe(), RETRY_MS);
    }
  }

  private fieldsRead(object: SfObject): string[] | null {
    const s = this.settings;
    if (!s || !s.mappings.some((m) => m.sfObject === object)) return null;
    return fieldsToRead(object, s);
  }

  private onEvent(e: SfChangeEvent): void {
    this.handled = Math.max(this.handled, e.replayId);
    if (!eventMatters(e, this.me, (o) => this.fieldsRead(o))) {
      if (!this.gather) this.covered = this.handled;
      return;
    }
    this.dirty.add(e.object);
    this.gather ??= setTimeout(() => void this.ask(), GATHER_MS);
  }

  /** Asks for a poll of what changed, then keeps the replay id it covers. */
  private async ask(): Promise<void> {
    this.gather = null;
    const objects = [...this.dirty].sort();
    this.dirty.clear();
    const replayId = this.handled;
    try {
      await this.ctx.publish(
        ScanChanges,
        { objects, at: this.ctx.deps.now(), reason: 'stream' },
        { cls: 'event', msgId: `stream:${objects.join('+')}:${replayId}` },
      );
      this.covered = Math.max(this.covered, replayId);
      await this.remember();
    } catch (err) {
      // The periodic poll reads it anyway.
      this.ctx.log.warn({ err, objects }, 'asking for a poll after change events failed');
    }
  }

  private async remember(): Promise<void> {
    if (this.covered === this.remembered) return;
    const replayId = this.covered;
    await (await this.ctx.kv('cursors')).put(Keys.changeStream(this.ctx.ws), { replayId });
    this.remembered = Math.max(this.remembered, replayId);
  }
}
