// The mapping actor (pool): diffs matched pairs into write items, and serves the settings
// endpoints. Each workspace's activation keeps the settings revisions it diffs with.
import { MapPairs, WORK_CLASSES } from '../../protocol/index.ts';
import { type ActorDef, defineActor, on } from '../../runtime/index.ts';
import { WorkspaceFacts } from '../domain/index.ts';
import { handleMapPairs } from './map-pairs.ts';
import { SchemaSource, type SchemaSourceOptions } from './service-schema.ts';
import { settingsEndpoints } from './settings-endpoints.ts';

export interface MappingActorOptions {
  schema?: SchemaSourceOptions;
  /** Pairs diffed at once per process and class. */
  concurrency?: number;
}

export function createMappingActor(o: MappingActorOptions = {}): ActorDef<WorkspaceFacts> {
  const schema = new SchemaSource(o.schema);
  return defineActor({
    name: 'mapping',
    init: (ctx) => new WorkspaceFacts(ctx),
  }).serve({
    queues: [
      {
        stage: 'map',
        classes: WORK_CLASSES,
        concurrency: o.concurrency,
        handlers: [on(MapPairs, (body, ctx, facts) => handleMapPairs(body, ctx, facts, schema))],
      },
    ],
    endpoints: settingsEndpoints(schema),
  });
}

export const mappingActor = createMappingActor();
