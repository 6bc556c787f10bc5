// Every actor peoplesync has, by name. The worker hosts any subset of them.
import type { ActorDef } from '../runtime/index.ts';
import './deps.ts';
import { errorsActor } from './errors/actor.ts';

export const ACTORS: Record<string, ActorDef> = {
  errors: errorsActor,
};

export const ACTOR_NAMES = (): string[] => Object.keys(ACTORS);
