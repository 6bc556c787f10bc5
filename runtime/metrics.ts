// Prometheus metrics of one worker process, collected where the runtime already sees things
// happen, never inside actors: the events an actor publishes (records synced, sync errors, quota
// usage, bulk progress), the connectors' call hooks (Salesforce calls by the class of the lease
// they ran in, Intercom calls), the work queues (redeliveries, dead letters) and, at each scrape,
// the depth of every consumer the process reads. Served on the worker's metrics port
// (config `metrics`), one registry per process.
import { createServer, type Server } from 'node:http';
import { Counter, Gauge, Registry, collectDefaultMetrics } from 'prom-client';
import { type Run, TIERS, type UsageIndicator } from '../protocol/index.ts';

/** Depth of one consumer, as the server reports it. */
export interface QueueDepth {
  stage: string;
  cls: string;
  pending: number;
  ackPending: number;
}

const RUN_COUNTS = [
  'scanned',
  'inCommon',
  'unmatched',
  'ambiguous',
  'skipped',
  'updatedSalesforce',
  'updatedIntercom',
  'unchanged',
  'failed',
] as const satisfies readonly (keyof Run['counts'])[];

export class RuntimeMetrics {
  readonly registry = new Registry();
  private depths: () => Promise<QueueDepth[]> = async () => [];

  readonly recordsSynced = new Counter({
    name: 'peoplesync_records_synced_total',
    help: 'Records written, by workspace, direction, Salesforce object and sync type',
    labelNames: ['ws', 'direction', 'object', 'sync_type'],
    registers: [this.registry],
  });
  readonly syncErrors = new Counter({
    name: 'peoplesync_sync_errors_total',
    help: 'Sync errors reported, by workspace, cause and sync type',
    labelNames: ['ws', 'cause', 'sync_type'],
    registers: [this.registry],
  });
  readonly salesforceCalls = new Counter({
    name: 'peoplesync_salesforce_calls_total',
    help: 'Salesforce API calls made (charged to the daily limit), by workspace and the work class whose tokens they used ("none": outside a lease)',
    labelNames: ['ws', 'class'],
    registers: [this.registry],
  });
  readonly intercomCalls = new Counter({
    name: 'peoplesync_intercom_calls_total',
    help: 'Intercom API requests made, by workspace and outcome (ok, or the error code)',
    labelNames: ['ws', 'outcome'],
    registers: [this.registry],
  });
  readonly quotaUsed = new Gauge({
    name: 'peoplesync_quota_used',
    help: 'Salesforce API calls the workspace used in the last 24 h (from its quota leader)',
    labelNames: ['ws'],
    registers: [this.registry],
  });
  readonly quotaLimit = new Gauge({
    name: 'peoplesync_quota_limit',
    help: "The workspace's defined Salesforce API limit (0: none)",
    labelNames: ['ws'],
    registers: [this.registry],
  });
  readonly quotaTier = new Gauge({
    name: 'peoplesync_quota_tier',
    help: "1 for the workspace's current budget tier, 0 for the others",
    labelNames: ['ws', 'tier'],
    registers: [this.registry],
  });
  readonly redeliveries = new Counter({
    name: 'peoplesync_queue_redeliveries_total',
    help: 'Work items received again after an earlier delivery, by stage and class',
    labelNames: ['stage', 'class'],
    registers: [this.registry],
  });
  readonly deadLetters = new Counter({
    name: 'peoplesync_dead_letters_total',
    help: 'Work items moved to the dead-letter stream, by workspace, stage and reason',
    labelNames: ['ws', 'stage', 'reason'],
    registers: [this.registry],
  });
  readonly bulkRecords = new Gauge({
    name: 'peoplesync_bulk_records',
    help: "The latest bulk run's counts, by workspace and count (from its coordinator)",
    labelNames: ['ws', 'count'],
    registers: [this.registry],
  });
  readonly bulkPercent = new Gauge({
    name: 'peoplesync_bulk_percent',
    help: "The latest bulk run's progress in percent",
    labelNames: ['ws'],
    registers: [this.registry],
  });
  readonly bulkActive = new Gauge({
    name: 'peoplesync_bulk_active',
    help: '1 while a bulk run of the workspace is running or paused',
    labelNames: ['ws'],
    registers: [this.registry],
  });

  constructor() {
    collectDefaultMetrics({ register: this.registry, prefix: 'peoplesync_' });
    const read = () => this.depths().catch(() => []);
    const pending = new Gauge({
      name: 'peoplesync_queue_pending',
      help: 'Work items waiting in a queue, by stage and class (read from the server at each scrape)',
      labelNames: ['stage', 'class'],
      registers: [this.registry],
      async collect() {
        const depths = await read();
        this.reset();
        ackPending.reset();
        for (const d of depths) {
          this.inc({ stage: d.stage, class: d.cls }, d.pending);
          ackPending.inc({ stage: d.stage, class: d.cls }, d.ackPending);
        }
      },
    });
    const ackPending = new Gauge({
      name: 'peoplesync_queue_in_flight',
      help: 'Work items delivered and not yet acknowledged, by stage and class',
      labelNames: ['stage', 'class'],
      registers: [this.registry],
    });
    void pending;
  }

  /** Where the queue depths come from (the host's consumers). */
  queueDepths(fn: () => Promise<QueueDepth[]>): void {
    this.depths = fn;
  }

  /** An event or work item a process published: the ones metrics are made of. */
  published(type: string, ws: string, body: unknown): void {
    switch (type) {
      case 'record.synced.v1': {
        const b = body as { direction: string; sfObject: string; syncType: string };
        this.recordsSynced.inc({ ws, direction: b.direction, object: b.sfObject, sync_type: b.syncType });
        return;
      }
      case 'errors.report.v1': {
        const b = body as { cause: string; syncType: string };
        this.syncErrors.inc({ ws, cause: b.cause, sync_type: b.syncType });
        return;
      }
      case 'quota.usage-reported.v1':
        return this.usage(ws, body as UsageIndicator);
      case 'bulk.progress.v1':
      case 'bulk.finished.v1':
        return this.bulk(ws, body as Run);
    }
  }

  private usage(ws: string, u: UsageIndicator): void {
    this.quotaUsed.set({ ws }, u.usedByWorkspace);
    this.quotaLimit.set({ ws }, u.definedLimit);
    for (const t of TIERS) this.quotaTier.set({ ws, tier: t }, t === u.tier ? 1 : 0);
  }

  private bulk(ws: string, run: Run): void {
    for (const c of RUN_COUNTS) this.bulkRecords.set({ ws, count: c }, run.counts[c]);
    this.bulkPercent.set({ ws }, run.percent);
    this.bulkActive.set({ ws }, run.status === 'running' || run.status === 'paused' ? 1 : 0);
  }

  /** Serves GET /metrics on host:port until closed. */
  async serve(host: string, port: number): Promise<{ url: string; close(): Promise<void> }> {
    const server: Server = createServer((req, res) => {
      if (req.method !== 'GET' || req.url?.split('?')[0] !== '/metrics') {
        res.writeHead(404).end('not found\n');
        return;
      }
      this.registry.metrics().then(
        (text) => res.writeHead(200, { 'content-type': this.registry.contentType }).end(text),
        (err: unknown) => res.writeHead(500).end(`${(err as Error).message}\n`),
      );
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, host, () => resolve());
    });
    const addr = server.address();
    const bound = typeof addr === 'object' && addr ? addr.port : port;
    return {
      url: `http://${host}:${bound}/metrics`,
      close: () => new Promise<void>((r) => server.close(() => r())),
    };
  }
}
