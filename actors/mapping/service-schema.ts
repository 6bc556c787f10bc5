// The live describe of Lead/Contact and the Intercom contact data attributes of one workspace,
// cached by the mapping actor's activation for that workspace. Describes cost Salesforce API
// calls, so one is kept until something says it is stale: a settings save (a batch of a newer
// revision), or Salesforce refusing a field or a value its describe should have told of
// (refused-fields.ts); data attributes, which cost nothing against the budget, for a minute.
// Describes are fetched inside a token lease of the asking work's class, and one fetch at a time
// per object and class: handlers that need the same describe wait for that fetch, lease and all.
// (Each leasing on its own, all but one returned their token unused: at a tier threshold every
// return dropped usage below it and every next lease lifted it back, so a paused run flapped.)
import type { IcDataAttribute, SalesforceClient, SfDescribe, SfObject } from '../../connectors/index.ts';
import type { WorkClass } from '../../protocol/index.ts';
import type { ActorContext } from '../../runtime/index.ts';
import type { Uses } from '../services.ts';
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
  private readonly describes: TtlCache<SfDescribe>;
  private readonly attributes: TtlCache<IcDataAttribute[]>;
  /** Leased describe fetches in progress, by `<class>:<object>`. */
  private readonly fetches = new Map<string, Promise<SfDescribe>>();
  /** The newest settings revision seen. */
  private revision: number | undefined;
  /** The schema generation of the workspace's refusals when the describes were last known good. */
  private generation: number | undefined;
  private readonly ttlMs: number;
  private readonly describeTtlMs: number;

  constructor(o: SchemaSourceOptions = {}) {
    this.ttlMs = o.ttlMs ?? 60_000;
    this.describeTtlMs = o.describeTtlMs ?? Infinity;
    this.describes = new TtlCache(this.describeTtlMs, o.now ?? Date.now);
    this.attributes = new TtlCache(this.ttlMs, o.now ?? Date.now);
  }

  /** The describe cache, emptied when Salesforce has refused something since it was filled. */
  private describeCache(sf: SalesforceClient): TtlCache<SfDescribe> {
    const generation = refusedFor(sf).schemaGeneration;
    if (this.generation !== generation) {
      this.describes.invalidate();
      this.generation = generation;
    }
    return this.describes;
  }

  /** Describes of `objects`; the missing ones are fetched under one lease of `cls` tokens, unless
   * a fetch of them for the same class is already under way. */
  async describe(
    ctx: ActorContext<Uses<'salesforce'>>,
    objects: readonly SfObject[],
    cls: WorkClass,
    maxAgeMs = this.describeTtlMs,
  ): Promise<Partial<Record<SfObject, SfDescribe>>> {
    const sf = ctx.deps.salesforce(ctx.ws);
    const cache = this.describeCache(sf);
    const fetches = this.fetches;
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

  async dataAttributes(ctx: ActorContext<Uses<'intercom'>>, maxAgeMs = this.ttlMs): Promise<IcDataAttribute[]> {
    const ic = ctx.deps.intercom(ctx.ws);
    return this.attributes.get('contact', () => ic.listDataAttributes(), maxAgeMs);
  }

  /** Both describes and the attributes, as settings validation needs them. */
  async full(ctx: ActorContext<Uses<'salesforce' | 'intercom'>>, cls: WorkClass, maxAgeMs?: number): Promise<ServiceSchema> {
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
  newerRevision(revision: number): boolean {
    const seen = this.revision;
    if (seen !== undefined && revision <= seen) return false;
    this.revision = revision;
    return seen !== undefined;
  }
}
