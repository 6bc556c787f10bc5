// The live describe of Lead/Contact and the Intercom contact data attributes, cached per client
// (one client per workspace and worker). Describes cost Salesforce API calls, so one is kept until
// something says it is stale: a settings save (a batch of a newer revision), or Salesforce refusing
// a field or a value its describe should have told of (refused-fields.ts); data attributes, which
// cost nothing against the budget, for a minute. Describes are fetched inside a token lease of the
// asking work's class, and one fetch at a time per object and class: handlers that need the same
// describe wait for that fetch, lease and all.
// (Each leasing on its own, all but one returned their token unused: at a tier threshold every
// return dropped usage below it and every next lease lifted it back, so a paused run flapped.)
import type { IcDataAttribute, IntercomClient, SalesforceClient, SfDescribe, SfObject } from '../../connectors/index.ts';
import type { WorkClass } from '../../protocol/index.ts';
import type { ActorContext } from '../../runtime/index.ts';
import { refusedFor } from '../refused-fields.ts';
import { TtlCache } from './ttl-cache.ts';

export interface ServiceSchema {
  describe: Record<SfObject, SfDescribe>;
  dataAttributes: IcDataAttribute[];
}

export interface SchemaSourceOptions {
  /** How long the pipeline trusts a describe (default: until it is known to be stale). */
  describeTtlMs?: number;
  /** How long it trusts the Intercom data attributes (default 60 s). */
  ttlMs?: number;
  now?: () => number;
}

export class SchemaSource {
  private readonly describes = new WeakMap<SalesforceClient, TtlCache<SfDescribe>>();
  private readonly attributes = new WeakMap<IntercomClient, TtlCache<IcDataAttribute[]>>();
  /** Leased describe fetches in progress, by `<class>:<object>`. */
  private readonly fetches = new WeakMap<SalesforceClient, Map<string, Promise<SfDescribe>>>();
  private readonly revisions = new WeakMap<SalesforceClient, number>();
  /** The schema generation of each client's refusals when its describes were last known good. */
  private readonly generations = new WeakMap<SalesforceClient, number>();
  private readonly ttlMs: number;
  private readonly describeTtlMs: number;
  private readonly now: () => number;

  constructor(o: SchemaSourceOptions = {}) {
    this.ttlMs = o.ttlMs ?? 60_000;
    this.describeTtlMs = o.describeTtlMs ?? Infinity;
    this.now = o.now ?? Date.now;
  }

  /** The describe cache, emptied when Salesforce has refused something since it was filled. */
  private describeCache(sf: SalesforceClient): TtlCache<SfDescribe> {
    let c = this.describes.get(sf);
    if (!c) this.describes.set(sf, (c = new TtlCache(this.describeTtlMs, this.now)));
    const generation = refusedFor(sf).schemaGeneration;
    if (this.generations.get(sf) !== generation) {
      c.invalidate();
      this.generations.set(sf, generation);
    }
    return c;
  }

  private attributeCache(ic: IntercomClient): TtlCache<IcDataAttribute[]> {
    let c = this.attributes.get(ic);
    if (!c) this.attributes.set(ic, (c = new TtlCache(this.ttlMs, this.now)));
    return c;
  }

  /** Describes of `objects`; the missing ones are fetched under one lease of `cls` tokens, unless
   * a fetch of them for the same class is already under way. */
  async describe(
    ctx: ActorContext,
    objects: readonly SfObject[],
    cls: WorkClass,
    maxAgeMs = this.describeTtlMs,
  ): Promise<Partial<Record<SfObject, SfDescribe>>> {
    const sf = ctx.deps.salesforce(ctx.ws);
    const cache = this.describeCache(sf);
    let fetches = this.fetches.get(sf);
    if (!fetches) this.fetches.set(sf, (fetches = new Map()));
    const missing = objects.filter((o) => cache.peek(o, maxAgeMs) === undefined);
    const load = (o: SfObject) => cache.get(o, () => sf.describe(o), maxAgeMs);
    const mine = missing.filter((o) => !fetches.has(`${cls}:${o}`));
    if (mine.length > 0) {
      const fetched = ctx.withTokens(cls, mine.length, () => Promise.all(mine.map(load)));
      mine.forEach((o, i) => {
        const key = `${cls}:${o}`;
        const one = fetched.then((r) => r[i]);
        fetches.set(key, one);
        one.finally(() => fetches.delete(key)).catch(() => undefined);
      });
    }
    const out: Partial<Record<SfObject, SfDescribe>> = {};
    // What was just fetched is used as is: asking the cache again with maxAgeMs 0 would fetch twice.
    for (const o of missing) out[o] = (await fetches.get(`${cls}:${o}`)) ?? (await load(o));
    // The rest were cached; one that expired in between is fetched again outside the lease (still
    // accounted, as plain usage).
    for (const o of objects) if (!out[o]) out[o] = await load(o);
    return out;
  }

  async dataAttributes(ctx: ActorContext, maxAgeMs = this.ttlMs): Promise<IcDataAttribute[]> {
    const ic = ctx.deps.intercom(ctx.ws);
    return this.attributeCache(ic).get('contact', () => ic.listDataAttributes(), maxAgeMs);
  }

  /** Both describes and the attributes, as settings validation needs them. */
  async full(ctx: ActorContext, cls: WorkClass, maxAgeMs?: number): Promise<ServiceSchema> {
    const [describe, dataAttributes] = await Promise.all([
      this.describe(ctx, ['Lead', 'Contact'], cls, maxAgeMs),
      this.dataAttributes(ctx, maxAgeMs),
    ]);
    return { describe: describe as Record<SfObject, SfDescribe>, dataAttributes };
  }

  /**
   * True when `revision` is newer than any settings revision seen for this workspace before: its
   * mappings may name fields or picklist values the cached schema predates, so the caller reloads.
   */
  newerRevision(ctx: ActorContext, revision: number): boolean {
    const sf = ctx.deps.salesforce(ctx.ws);
    const seen = this.revisions.get(sf);
    if (seen !== undefined && revision <= seen) return false;
    this.revisions.set(sf, revision);
    return seen !== undefined;
  }
}
