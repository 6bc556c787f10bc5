// The mapping actor (pool): diffs matched pairs into write items, and serves the settings
// endpoints. Caches live per KV handle and per client, so two systems in one process (tests) never
// share a cached revision or describe.
import { MapPairs, WORK_CLASSES } from '../../protocol/index.ts';
import { type ActorContext, type ActorDef, type TypedKv, on } from '../../runtime/index.ts';
import { handleMapPairs } from './map-pairs.ts';
import { SchemaSource, type SchemaSourceOptions } from './service-schema.ts';
import { settingsEndpoints } from './settings-endpoints.ts';
import { SettingsCache } from './settings-store.ts';

export interface MappingActorOptions {
  schema?: SchemaSourceOptions;
  /** Pairs diffed at once per process and class. */
  concurrency?: number;
}

export function createMappingActor(o: MappingActorOptions = {}): ActorDef {
  const schema = new SchemaSource(o.schema);
  const caches = new WeakMap<TypedKv, SettingsCache>();
  const settingsOf = async (ctx: ActorContext): Promise<SettingsCache> => {
    const kv = await ctx.kv('settings');
    let c = caches.get(kv);
    if (!c) caches.set(kv, (c = new SettingsCache(async () => kv)));
    return c;
  };
  return {
    name: 'mapping',
    queues: [
      {
        stage: 'map',
        classes: WORK_CLASSES,
        concurrency: o.concurrency,
        handlers: [on(MapPairs, async (body, ctx) => handleMapPairs(body, ctx, await settingsOf(ctx), schema))],
      },
    ],
    endpoints: settingsEndpoints(schema),
  };
}

export const mappingActor: ActorDef = createMappingActor();
