// Stream, consumer and KV bucket definitions: what provisioning creates and what the actor host
// binds to. Plain data (durations in milliseconds), so this folder needs no NATS client.
import { STAGES, STAGE_CLASSES, type Stage, type WorkClass, subject } from './subjects.ts';

export interface StreamDef {
  name: string;
  subjects: string[];
  retention: 'workqueue' | 'limits';
  maxAgeMs: number; // 0 = keep until consumed / limits
  duplicateWindowMs: number;
  /** Larger messages are refused at publish (-1: only NATS's max_payload). */
  maxMsgBytes: number;
}

export interface ConsumerDef {
  stream: string;
  durable: string;
  filterSubject: string;
  ackWaitMs: number;
  maxDeliver: number;
  maxAckPending: number;
}

export interface BucketDef {
  name: string;
  history: number;
  /** Entries may carry a TTL of their own (leases). */
  entryTtl: boolean;
  /** Entries older than this go (0: kept until deleted). */
  maxAgeMs: number;
}

export interface Topology {
  prefix: string;
  streams: { work: StreamDef; events: StreamDef; dlq: StreamDef };
  buckets: Record<BucketName, BucketDef>;
}

/** `reports`: every report a coordinator counted, by run; `writes`: what each write item wrote,
 * by item and record. Both outlive any one process, so a run's counts are exact wherever its
 * coordinator runs next (docs/ARCHITECTURE.md). */
export const BUCKETS = ['settings', 'index', 'links', 'cursors', 'quota', 'errors', 'runs', 'leases', 'reports', 'writes'] as const;
const RUN_RECORD_BUCKETS: ReadonlySet<BucketName> = new Set(['reports', 'writes']);
export type BucketName = (typeof BUCKETS)[number];

export interface TopologyOptions {
  prefix: string;
  eventsMaxAgeMs: number;
  dlqMaxAgeMs: number;
  /** Work items larger than this are refused at publish by the WORK stream. */
  maxMessageBytes: number;
  /** Workspaces whose leader-stage subjects (coord, quota) the WORK stream takes. */
  workspaces: readonly string[];
}

const DAY = 86_400_000;
export const DEFAULT_TOPOLOGY: TopologyOptions = {
  prefix: 'peoplesync',
  eventsMaxAgeMs: 7 * DAY,
  dlqMaxAgeMs: 30 * DAY,
  maxMessageBytes: 1024 * 1024,
  workspaces: [],
};

/** Stream and bucket names may not contain dots; derive them from the prefix. */
export function nameBase(prefix: string): string {
  return prefix.replace(/[^A-Za-z0-9_-]/g, '_').toUpperCase();
}

export function topology(opts: Partial<TopologyOptions> = {}): Topology {
  const o = { ...DEFAULT_TOPOLOGY, ...opts };
  const base = nameBase(o.prefix);
  const p = o.prefix;
  const buckets = {} as Record<BucketName, BucketDef>;
  for (const b of BUCKETS) {
    buckets[b] = {
      name: `${base}_${b}`.toLowerCase(),
      history: b === 'settings' ? 32 : 1,
      entryTtl: b === 'leases',
      maxAgeMs: RUN_RECORD_BUCKETS.has(b) ? o.dlqMaxAgeMs : 0,
    };
  }
  return {
    prefix: p,
    streams: {
      work: {
        name: `${base}_WORK`,
        subjects: workSubjects(p, o.workspaces),
        retention: 'workqueue',
        maxAgeMs: 0,
        duplicateWindowMs: 120_000,
        maxMsgBytes: o.maxMessageBytes,
      },
      events: {
        name: `${base}_EVENTS`,
        subjects: [`${p}.evt.>`],
        retention: 'limits',
        maxAgeMs: o.eventsMaxAgeMs,
        duplicateWindowMs: 120_000,
        maxMsgBytes: -1,
      },
      dlq: {
        name: `${base}_DLQ`,
        subjects: [`${p}.dlq.>`],
        retention: 'limits',
        maxAgeMs: o.dlqMaxAgeMs,
        duplicateWindowMs: 120_000,
        maxMsgBytes: -1,
      },
    },
    buckets,
  };
}

/** The WORK stream's subjects: every (stage, class) pair a queue takes, for any workspace on shared
 * stages and for each of `workspaces` on leader stages (their consumers are per workspace). */
export function workSubjects(prefix: string, workspaces: readonly string[]): string[] {
  const out: string[] = [];
  for (const [stage, kind] of Object.entries(STAGES) as [Stage, string][]) {
    for (const cls of STAGE_CLASSES[stage]) {
      if (kind === 'shared') out.push(subject(prefix, { kind: 'work', ws: '*', stage, cls }));
      else for (const ws of workspaces) out.push(subject(prefix, { kind: 'work', ws, stage, cls }));
    }
  }
  return out;
}

/** A leader-stage subject of some workspace: provisioning keeps those other workers added. */
export function isLeaderWorkSubject(prefix: string, s: string): boolean {
  const parts = s.startsWith(`${prefix}.work.`) ? s.slice(prefix.length + 6).split('.') : [];
  if (parts.length !== 3 || parts[0] === '*' || parts[0] === '>') return false;
  const stage = parts[1] as Stage;
  return STAGES[stage] === 'leader' && STAGE_CLASSES[stage].includes(parts[2] as WorkClass);
}

export interface QueueTuning {
  ackWaitMs: number;
  maxDeliver: number;
  maxAckPending: number;
}

export const DEFAULT_QUEUE_TUNING: QueueTuning = { ackWaitMs: 30_000, maxDeliver: 8, maxAckPending: 256 };

/** One durable consumer per (stage, class); `leader` stages get one per workspace as well: a
 * workspace's leader takes only its items, and a work-queue stream refuses overlapping filters. */
export function workConsumer(t: Topology, stage: Stage, cls: WorkClass, ws: string | null, tuning: QueueTuning): ConsumerDef {
  const perWs = STAGES[stage] === 'leader';
  if (perWs && !ws) throw new Error(`stage ${stage} is consumed per workspace: a workspace id is needed`);
  const wsTok = perWs ? (ws as string) : '*';
  return {
    stream: t.streams.work.name,
    durable: perWs ? `${stage}_${cls}_${wsTok}` : `${stage}_${cls}`,
    filterSubject: subject(t.prefix, { kind: 'work', ws: wsTok, stage, cls }),
    ...tuning,
  };
}
