// The history actor's face: the actor and its pure logic (a person's topics, the change list).
export { historyActor } from './actor.ts';
export { personTopics, historyOf, type History, type PersonIds } from './history.ts';
