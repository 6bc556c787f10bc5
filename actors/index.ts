// Every actor peoplesync has, by name. The worker hosts any subset of them.
import type { ActorDef } from '../runtime/index.ts';
import { errorsActor } from './errors/actor.ts';
import { gatewayActor } from './gateway/actor.ts';
import { mappingActor } from './mapping/actor.ts';
import { matchingActor } from './matching/actor.ts';
import { writerActor } from './writer/actor.ts';
import { quotaActor } from './quota/actor.ts';
import { coordinatorActor } from './coordinator/actor.ts';
import { changeEventsActor, pollingActor, pollSchedulerActor } from './polling/actor.ts';
import { notifierActor } from './notifier/actor.ts';
import { historyActor } from './history/actor.ts';

export const ACTORS: Record<string, ActorDef> = {
  quota: quotaActor,
  errors: errorsActor,
  gateway: gatewayActor,
  mapping: mappingActor,
  matching: matchingActor,
  writer: writerActor,
  coordinator: coordinatorActor,
  polling: pollingActor,
  'poll-scheduler': pollSchedulerActor,
  'change-events': changeEventsActor,
  notifier: notifierActor,
  history: historyActor,
};

export const ACTOR_NAMES = (): string[] => Object.keys(ACTORS);
