// Idempotent provisioning of streams, consumers and buckets from protocol/'s definitions: create
// what is missing, update what differs, leave the rest. Safe to run from every worker at start.
import { AckPolicy, DiscardPolicy, type JetStreamManager, type NatsConnection, RetentionPolicy, StorageType, nanos } from 'nats';
import { type ConsumerDef, type StreamDef, type Topology, isLeaderWorkSubject } from '../protocol/index.ts';

function isNotFound(err: unknown): boolean {
  const e = err as { code?: string; api_error?: { err_code?: number }; message?: string };
  return e?.api_error?.err_code === 10059 || e?.api_error?.err_code === 10014 || /not found/i.test(e?.message ?? '');
}

/** `keep`: subjects the stream has that stay besides the definition's (other workers' workspaces). */
export async function ensureStream(
  jsm: JetStreamManager,
  def: StreamDef,
  replicas: number,
  keep: (subject: string) => boolean = () => false,
): Promise<void> {
  const cfg = {
    name: def.name,
    subjects: def.subjects,
    max_msg_size: def.maxMsgBytes,
    retention: def.retention === 'workqueue' ? RetentionPolicy.Workqueue : RetentionPolicy.Limits,
    storage: StorageType.File,
    num_replicas: replicas,
    max_age: nanos(def.maxAgeMs),
    duplicate_window: nanos(def.duplicateWindowMs),
    discard: DiscardPolicy.Old,
    // Batched direct gets list dead letters (runtime/dead-letters.ts).
    allow_direct: true,
  };
  try {
    const info = await jsm.streams.info(def.name);
    const c = info.config;
    cfg.subjects = [...new Set([...def.subjects, ...c.subjects.filter(keep)])];
    const same =
      [...c.subjects].sort().join() === [...cfg.subjects].sort().join() &&
      (c.max_msg_size ?? -1) === cfg.max_msg_size &&
      c.max_age === cfg.max_age &&
      c.duplicate_window === cfg.duplicate_window &&
      c.allow_direct === true;
    if (!same) {
      await jsm.streams.update(def.name, {
        ...c,
        subjects: cfg.subjects,
        max_msg_size: cfg.max_msg_size,
        max_age: cfg.max_age,
        duplicate_window: cfg.duplicate_window,
        allow_direct: true,
      });
    }
  } catch (err) {
    if (!isNotFound(err)) throw err;
    await jsm.streams.add(cfg);
  }
}

export async function ensureConsumer(jsm: JetStreamManager, def: ConsumerDef, replicas: number): Promise<void> {
  const cfg = {
    durable_name: def.durable,
    ack_policy: AckPolicy.Explicit,
    filter_subject: def.filterSubject,
    ack_wait: nanos(def.ackWaitMs),
    max_deliver: def.maxDeliver,
    max_ack_pending: def.maxAckPending,
    num_replicas: replicas,
  };
  try {
    const info = await jsm.consumers.info(def.stream, def.durable);
    const c = info.config;
    if (c.ack_wait !== cfg.ack_wait || c.max_deliver !== cfg.max_deliver || c.max_ack_pending !== cfg.max_ack_pending) {
      await jsm.consumers.update(def.stream, def.durable, {
        ack_wait: cfg.ack_wait,
        max_deliver: cfg.max_deliver,
        max_ack_pending: cfg.max_ack_pending,
      });
    }
  } catch (err) {
    if (!isNotFound(err)) throw err;
    await jsm.consumers.add(def.stream, cfg);
  }
}

/** Streams and KV buckets; consumers are provisioned by the host for the stages it runs. */
export async function provision(nc: NatsConnection, t: Topology, replicas: number): Promise<void> {
  const jsm = await nc.jetstreamManager();
  await ensureStream(jsm, t.streams.work, replicas, (s) => isLeaderWorkSubject(t.prefix, s));
  await ensureStream(jsm, t.streams.events, replicas);
  await ensureStream(jsm, t.streams.dlq, replicas);
  const js = nc.jetstream();
  for (const b of Object.values(t.buckets)) {
    await js.views.kv(b.name, { history: b.history, replicas, ...(b.maxAgeMs ? { ttl: b.maxAgeMs } : {}) });
    // Reads are direct gets (runtime/kv.ts); leases expire by their own TTL. A bucket made
    // without these (or with the bucket-level TTL leases once had) is brought to them.
    const info = await jsm.streams.info(`KV_${b.name}`);
    const c = info.config as typeof info.config & { allow_msg_ttl?: boolean };
    if (c.max_age !== nanos(b.maxAgeMs) || c.allow_direct !== true || (b.entryTtl && c.allow_msg_ttl !== true)) {
      await jsm.streams.update(`KV_${b.name}`, {
        ...c,
        max_age: nanos(b.maxAgeMs),
        duplicate_window: nanos(120_000),
        allow_direct: true,
        ...(b.entryTtl ? { allow_msg_ttl: true } : {}),
      } as typeof c);
    }
  }
}
