// Idempotent provisioning of streams, consumers and buckets from protocol/'s definitions: create
// what is missing, update what differs, leave the rest. Safe to run from every worker at start.
import { AckPolicy, DiscardPolicy, type JetStreamManager, type NatsConnection, RetentionPolicy, StorageType, nanos } from 'nats';
import type { ConsumerDef, StreamDef, Topology } from '../protocol/index.ts';

function isNotFound(err: unknown): boolean {
  const e = err as { code?: string; api_error?: { err_code?: number }; message?: string };
  return e?.api_error?.err_code === 10059 || e?.api_error?.err_code === 10014 || /not found/i.test(e?.message ?? '');
}

export async function ensureStream(jsm: JetStreamManager, def: StreamDef, replicas: number): Promise<void> {
  const cfg = {
    name: def.name,
    subjects: def.subjects,
    retention: def.retention === 'workqueue' ? RetentionPolicy.Workqueue : RetentionPolicy.Limits,
    storage: StorageType.File,
    num_replicas: replicas,
    max_age: nanos(def.maxAgeMs),
    duplicate_window: nanos(def.duplicateWindowMs),
    discard: DiscardPolicy.Old,
  };
  try {
    const info = await jsm.streams.info(def.name);
    const c = info.config;
    if (c.subjects.join() !== cfg.subjects.join() || c.max_age !== cfg.max_age || c.duplicate_window !== cfg.duplicate_window) {
      await jsm.streams.update(def.name, { ...c, subjects: cfg.subjects, max_age: cfg.max_age, duplicate_window: cfg.duplicate_window });
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
  for (const s of Object.values(t.streams)) await ensureStream(jsm, s, replicas);
  const js = nc.jetstream();
  for (const b of Object.values(t.buckets)) {
    await js.views.kv(b.name, { history: b.history, ttl: b.ttlMs, replicas });
    // An existing bucket keeps the TTL it was made with: bring it to the configured one (a lease
    // bucket with a longer TTL than the leases assume would only slow failover down). Reads are
    // direct gets (runtime/host.ts), so a bucket made without them gets them.
    const info = await jsm.streams.info(`KV_${b.name}`);
    if (info.config.max_age !== nanos(b.ttlMs) || info.config.allow_direct !== true) {
      // The duplicate window may not exceed the max age (KV sets it to min(TTL, 2 minutes)).
      const window = b.ttlMs > 0 ? Math.min(b.ttlMs, 120_000) : 120_000;
      await jsm.streams.update(`KV_${b.name}`, {
        ...info.config,
        max_age: nanos(b.ttlMs),
        duplicate_window: nanos(window),
        allow_direct: true,
      });
    }
  }
}
