// The mapping actor (pool): diffs matched pairs into write items, and serves the settings
// endpoints. Each workspace's activation keeps the settings revisions it diffs with and the
// describes and data attributes it checks against.
import { MapPairs, WORK_CLASSES } from '../../protocol/index.ts';
import { type ActorDef, defineActor, on } from '../../runtime/index.ts';
import { WorkspaceFacts } from '../domain/index.ts';
import { handleMapPairs } from './map-pairs.ts';
import { uses } from '../services.ts';
import { SchemaSource, type SchemaSourceOptions } from './service-schema.ts';
import { settingsEndpoints } from './settings-endpoints.ts';

export interface MappingActorOptions {
  schema?: SchemaSourceOptions;
  /** Pairs diffed at once per process and class. */
  concurrency?: number;
}

/** One workspace's mapping: the settings revisions it diffs with and the services' schema. */
interface MappingWorkspace {
  facts: WorkspaceFacts;
  schema: SchemaSource;
}

export function createMappingActor(o: MappingActorOptions = {}): ActorDef<MappingWorkspace> {
  return defineActor({
    name: 'mapping',
    needs: uses('salesforce', 'intercom', 'now'),
    init: (ctx): MappingWorkspace => ({ facts: new WorkspaceFacts(ctx), schema: new SchemaSource(o.schema) }),
  }).serve({
    queues: [
      {
        stage: 'map',
        classes: WORK_CLASSES,
        concurrency: o.concurrency,
        handlers: [on(MapPairs, (body, ctx, { facts, schema }) => handleMapPairs(body, ctx, facts, schema))],
      },
    ],
    endpoints: settingsEndpoints(),
  });
}

export const mappingActor = createMappingActor();
