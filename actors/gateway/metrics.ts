// Prometheus metrics of one gateway: process metrics plus request counts and latencies by route
// name (never by raw path, which would let callers create series at will).
import { Counter, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

export interface GatewayMetrics {
  registry: Registry;
  requests: Counter<'route' | 'method' | 'status'>;
  duration: Histogram<'route'>;
  webhooks: Counter<'outcome'>;
}

/** A registry per gateway, so two gateways in one process (tests) do not share series. */
export function createMetrics(): GatewayMetrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'peoplesync_' });
  return {
    registry,
    requests: new Counter({
      name: 'peoplesync_http_requests_total',
      help: 'HTTP requests answered, by route, method and status',
      labelNames: ['route', 'method', 'status'],
      registers: [registry],
    }),
    duration: new Histogram({
      name: 'peoplesync_http_request_duration_seconds',
      help: 'Time to answer an HTTP request, by route',
      labelNames: ['route'],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
      registers: [registry],
    }),
    webhooks: new Counter({
      name: 'peoplesync_webhooks_total',
      help: 'Intercom webhook notifications, by outcome',
      labelNames: ['outcome'],
      registers: [registry],
    }),
  };
}
