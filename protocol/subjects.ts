// Every subject peoplesync uses is built here and nowhere else, so a deployment can move the
// whole system under another prefix (embedding it in a larger event backbone) by one setting.
//
//   <p>.work.<ws>.<stage>.<class>   work items (WORK stream, work-queue retention)
//   <p>.evt.<ws>.<topic>            facts (EVENTS stream, limits retention)
//   <p>.ctl.<ws>.<verb>             control requests (NATS micro service)
//   <p>.dlq.<ws>.<stage>            dead letters (DLQ stream)

export const WORK_CLASSES = ['bulk', 'event', 'retry', 'interactive'] as const;
export type WorkClass = (typeof WORK_CLASSES)[number];

/** Work-queue stages. `shared` stages have one consumer per class for every workspace; `leader`
 * stages are consumed only by the workspace's leader, so their consumers are per workspace. */
export const STAGES = {
  index: 'shared', // matching: refresh the Intercom identity index, one page a message
  scan: 'shared', // polling: read Salesforce pages (bulk by Id, event by SystemModstamp)
  icpoll: 'shared', // polling: read Intercom changes
  match: 'shared', // matching: join records against the identity index
  map: 'shared', // mapping: diff matched pairs into write commands
  sfwrite: 'shared', // writer: Salesforce sObject Collections updates
  icwrite: 'shared', // writer: Intercom contact updates
  errors: 'shared', // errors: record sync errors
  notify: 'shared', // notifier: emails
  coord: 'leader', // coordinator: bulk run reports
  quota: 'leader', // quota: usage reports and returned tokens
} as const;
export type Stage = keyof typeof STAGES;

/** The classes each stage's queues take: the WORK stream holds exactly these (stage, class) pairs,
 * so a work item on any other subject is refused at publish instead of waiting for ever. */
export const STAGE_CLASSES: Readonly<Record<Stage, readonly WorkClass[]>> = {
  index: ['bulk'],
  scan: ['bulk', 'event'],
  icpoll: ['event'],
  match: WORK_CLASSES,
  map: WORK_CLASSES,
  sfwrite: WORK_CLASSES,
  icwrite: WORK_CLASSES,
  errors: WORK_CLASSES,
  notify: ['bulk', 'event'],
  coord: ['bulk'],
  quota: WORK_CLASSES,
};

/** Stages that do a bulk run's work: their items are dropped once the run has ended. Reports
 * about a run (sync errors, coordinator tallies, emails, quota) are still handled. */
export const RUN_WORK_STAGES: ReadonlySet<string> = new Set<Stage>(['index', 'scan', 'match', 'map', 'sfwrite', 'icwrite']);

export type SubjectSpec =
  | { kind: 'work'; ws: string; stage: Stage; cls: WorkClass }
  | { kind: 'evt'; ws: string; topic: string }
  | { kind: 'ctl'; ws: string; verb: string }
  | { kind: 'dlq'; ws: string; stage: string };

const TOKEN = /^[A-Za-z0-9_-]{1,64}$/;
const DOTTED = /^[A-Za-z0-9_-]+(\.[A-Za-z0-9_-]+)*$/;

export class SubjectError extends Error {
  override name = 'SubjectError';
}

/** A workspace id must be one subject token; checked once here, trusted everywhere else. */
export function checkWorkspaceId(ws: string): string {
  if (!TOKEN.test(ws)) {
    throw new SubjectError(`workspace id "${ws.slice(0, 80)}" must be 1-64 letters, digits, '-' or '_' (it is a NATS subject token)`);
  }
  return ws;
}

export function checkPrefix(prefix: string): string {
  if (!DOTTED.test(prefix)) throw new SubjectError(`subject prefix "${prefix}" must be dot-separated tokens`);
  return prefix;
}

/** The one function that builds a subject. `ws` may be `*` (any workspace) in filters. */
export function subject(prefix: string, spec: SubjectSpec): string {
  const ws = spec.ws === '*' ? '*' : checkWorkspaceId(spec.ws);
  switch (spec.kind) {
    case 'work':
      if (!STAGE_CLASSES[spec.stage]?.includes(spec.cls)) {
        throw new SubjectError(
          `no queue takes ${spec.stage} items of class ${spec.cls} (it takes ${STAGE_CLASSES[spec.stage]?.join(', ')})`,
        );
      }
      return `${prefix}.work.${ws}.${spec.stage}.${spec.cls}`;
    case 'evt':
      return `${prefix}.evt.${ws}.${spec.topic}`;
    case 'ctl':
      return `${prefix}.ctl.${ws}.${spec.verb}`;
    case 'dlq':
      return `${prefix}.dlq.${ws}.${spec.stage}`;
  }
}

/** A value as one subject token: itself when it is letters, digits, - or _, else '=' and its
 * base64url (a plain token never begins with '='). */
export function subjectToken(value: string): string {
  return TOKEN.test(value) ? value : `=${Buffer.from(value, 'utf8').toString('base64url')}`;
}

/** The topic an event is published on: its own, then the tokens of its key, if it has one. */
export function eventTopic(def: { topic: string; keyOf?(body: unknown): string[] }, body: unknown): string {
  return def.keyOf ? [def.topic, ...def.keyOf(body).map(subjectToken)].join('.') : def.topic;
}

/** The topic filter that hears every event of a type, keyed or not. */
export function eventFilter(def: { topic: string; keyOf?: unknown }): string {
  return def.keyOf ? `${def.topic}.>` : def.topic;
}

/** Workspace token of any peoplesync subject (work, evt, ctl, dlq). */
export function workspaceOf(prefix: string, subj: string): string | null {
  if (!subj.startsWith(prefix + '.')) return null;
  const parts = subj.slice(prefix.length + 1).split('.');
  return parts.length >= 2 ? parts[1] : null;
}

/** Where a singleton actor's leader listens for forwarded control requests. */
export function leaderSubject(prefix: string, actor: string, ws: string): string {
  return `${prefix}.leader.${checkWorkspaceId(ws)}.${actor}`;
}

/** A process's liveness subject: it answers there while its connection is open, so a lease whose
 * holder no longer answers can be taken over before it expires. */
export function aliveSubject(prefix: string, token: string): string {
  if (!/^[a-z0-9]{8,32}$/.test(token))
    throw new SubjectError(`liveness token "${token.slice(0, 40)}" must be 8-32 lowercase letters or digits`);
  return `${prefix}.alive.${token}`;
}

export function isAliveSubject(prefix: string, s: string): boolean {
  return s.startsWith(`${prefix}.alive.`) && /^[a-z0-9]{8,32}$/.test(s.slice(prefix.length + 7));
}
