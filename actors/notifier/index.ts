// The notifier's face: the actor and the pure email text.
export { notifierActor } from './actor.ts';
export { runFinishedEmail, formatDuration, errorsLink, type Email } from './email.ts';
