// The gateway's routes as data: method, path pattern, name. Matching is pure, so the table is
// unit-tested and the route name (never the raw path) labels metrics.
export type RouteName =
  | 'webhook'
  | 'bulk.status'
  | 'bulk.start'
  | 'bulk.stop'
  | 'bulk.history'
  | 'quota'
  | 'settings.get'
  | 'settings.put'
  | 'errors.list'
  | 'errors.count'
  | 'errors.show'
  | 'errors.retry'
  | 'resync'
  | 'dlq.list'
  | 'dlq.replay'
  | 'metrics'
  | 'healthz'
  | 'page';

interface Route {
  methods: readonly string[];
  pattern: string;
  name: RouteName;
}

export const ROUTES: readonly Route[] = [
  { methods: ['HEAD', 'POST'], pattern: '/webhooks/intercom/:ws', name: 'webhook' },
  { methods: ['GET'], pattern: '/api/:ws/bulk', name: 'bulk.status' },
  { methods: ['POST'], pattern: '/api/:ws/bulk/start', name: 'bulk.start' },
  { methods: ['POST'], pattern: '/api/:ws/bulk/stop', name: 'bulk.stop' },
  { methods: ['GET'], pattern: '/api/:ws/bulk/history', name: 'bulk.history' },
  { methods: ['GET'], pattern: '/api/:ws/quota', name: 'quota' },
  { methods: ['GET'], pattern: '/api/:ws/settings', name: 'settings.get' },
  { methods: ['PUT'], pattern: '/api/:ws/settings', name: 'settings.put' },
  { methods: ['GET'], pattern: '/api/:ws/errors', name: 'errors.list' },
  { methods: ['GET'], pattern: '/api/:ws/errors/count', name: 'errors.count' },
  { methods: ['POST'], pattern: '/api/:ws/errors/retry', name: 'errors.retry' },
  { methods: ['GET'], pattern: '/api/:ws/errors/:id', name: 'errors.show' },
  { methods: ['POST'], pattern: '/api/:ws/resync', name: 'resync' },
  { methods: ['GET'], pattern: '/api/:ws/dlq', name: 'dlq.list' },
  { methods: ['POST'], pattern: '/api/:ws/dlq/replay', name: 'dlq.replay' },
  { methods: ['GET'], pattern: '/metrics', name: 'metrics' },
  { methods: ['GET'], pattern: '/healthz', name: 'healthz' },
  { methods: ['GET'], pattern: '/ws/:ws', name: 'page' },
];

export type RouteMatch =
  | { kind: 'route'; name: RouteName; params: Record<string, string> }
  | { kind: 'method_not_allowed'; allowed: string[] }
  | { kind: 'not_found' };

function matchPattern(pattern: string, path: string): Record<string, string> | null {
  const want = pattern.split('/');
  const got = path.split('/');
  if (want.length !== got.length) return null;
  const params: Record<string, string> = {};
  for (let i = 0; i < want.length; i++) {
    if (want[i].startsWith(':')) {
      if (got[i] === '') return null;
      try {
        params[want[i].slice(1)] = decodeURIComponent(got[i]);
      } catch {
        return null;
      }
    } else if (want[i] !== got[i]) {
      return null;
    }
  }
  return params;
}

/** First route whose pattern matches; a path that matches only under other methods is a 405. */
export function matchRoute(method: string, path: string): RouteMatch {
  const trimmed = path.length > 1 && path.endsWith('/') ? path.slice(0, -1) : path;
  const allowed: string[] = [];
  for (const r of ROUTES) {
    const params = matchPattern(r.pattern, trimmed);
    if (!params) continue;
    if (r.methods.includes(method)) return { kind: 'route', name: r.name, params };
    allowed.push(...r.methods);
  }
  return allowed.length ? { kind: 'method_not_allowed', allowed: [...new Set(allowed)] } : { kind: 'not_found' };
}
