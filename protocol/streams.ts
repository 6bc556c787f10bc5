// Stream, consumer and KV bucket definitions: what provisioning creates and what the actor host
// binds to. Plain data (durations in milliseconds), so this folder needs no NATS client.
import { STAGES, type Stage, type WorkClass, subject } from './subjects.ts';

export interface StreamDef {
  name: string;
  subjects: string[];
  retention: 'workqueue' | 'limits';
  maxAgeMs: number; // 0 = keep until consumed / limits
  duplicateWindowMs: number;
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
  /** Entries may carry a TTL of their own (leases); nothing else in a bucket expires. */
  entryTtl: boolean;
}

export interface Topology {
  prefix: string;
  streams: { work: StreamDef; events: StreamDef; dlq: StreamDef };
  buckets: Record<BucketName, BucketDef>;
}

export const BUCKETS = ['settings', 'index', 'links', 'cursors', 'quota', 'errors', 'runs', 'leases'] as const;
export type BucketName = (typeof BUCKETS)[number];

export interface TopologyOptions {
  prefix: string;
  eventsMaxAgeMs: number;
  dlqMaxAgeMs: number;
}

const DAY = 86_400_000;
export const DEFAULT_TOPOLOGY: TopologyOptions = {
  prefix: 'peoplesync',
  eventsMaxAgeMs: 7 * DAY,
  dlqMaxAgeMs: 30 * DAY,
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
    };
  }
  return {
    prefix: p,
    streams: {
      work: { name: `${base}_WORK`, subjects: [`${p}.work.>`], retention: 'workqueue', maxAgeMs: 0, duplicateWindowMs: 120_000 },
      events: {
        name: `${base}_EVENTS`,
        subjects: [`${p}.evt.>`],
        retention: 'limits',
        maxAgeMs: o.eventsMaxAgeMs,
        duplicateWindowMs: 120_000,
      },
      dlq: { name: `${base}_DLQ`, subjects: [`${p}.dlq.>`], retention: 'limits', maxAgeMs: o.dlqMaxAgeMs, duplicateWindowMs: 120_000 },
    },
    buckets,
  };
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
