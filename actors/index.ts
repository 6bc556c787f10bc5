// Every actor peoplesync has, by name. The worker hosts any subset of them.
import type { ActorDef } from '../runtime/index.ts';
import './deps.ts';

export const ACTORS: Record<string, ActorDef> = {};

export const ACTOR_NAMES = (): string[] => Object.keys(ACTORS);
