// The JSON API: each route is one control request in the route's workspace. The control plane
// validates bodies and answers errors with their status; the gateway only translates HTTP.
import {
  BulkHistory,
  BulkStart,
  BulkStatus,
  BulkStop,
  DlqList,
  DlqReplay,
  ErrorsCount,
  ErrorsList,
  ErrorsRetry,
  ErrorsShow,
  QuotaUsageShow,
  Resync,
  SettingsGet,
  SettingsSave,
} from '../../protocol/index.ts';
import type { ActorContext } from '../../runtime/index.ts';
import { directionRequest, errorsListRequest, jsonBody, limitRequest } from './api-params.ts';
import type { PageData, Part } from './page.ts';
import type { RouteName } from './routes.ts';

export interface ApiInput {
  params: Record<string, string>;
  query: URLSearchParams;
  body: Uint8Array;
}

type ApiRoute = (ctx: ActorContext, input: ApiInput) => Promise<unknown>;
type ApiRouteName = Exclude<RouteName, 'webhook' | 'metrics' | 'healthz' | 'page'>;

/** Who asked, for the audit fields of starts, stops, saves and retries. */
const by = (body: Record<string, unknown>) => (typeof body.by === 'string' ? body.by : 'http');

export const API_ROUTES: Record<ApiRouteName, ApiRoute> = {
  'bulk.status': (ctx) => ctx.request(BulkStatus, {}),
  'bulk.start': (ctx, { body }) => {
    const b = jsonBody(body);
    return ctx.request(BulkStart, { ...b, startedBy: typeof b.startedBy === 'string' ? b.startedBy : 'http' } as never);
  },
  'bulk.stop': (ctx, { body }) => {
    const b = jsonBody(body);
    return ctx.request(BulkStop, { ...b, by: by(b) } as never);
  },
  'bulk.history': (ctx, { query }) => ctx.request(BulkHistory, limitRequest(query) as never),
  quota: (ctx) => ctx.request(QuotaUsageShow, {}),
  'settings.get': (ctx) => ctx.request(SettingsGet, {}),
  'settings.put': (ctx, { body }) => {
    const b = jsonBody(body);
    return ctx.request(SettingsSave, { ...b, savedBy: typeof b.savedBy === 'string' ? b.savedBy : 'http' } as never);
  },
  'errors.list': (ctx, { query }) => ctx.request(ErrorsList, errorsListRequest(query) as never),
  'errors.count': (ctx, { query }) => ctx.request(ErrorsCount, directionRequest(query) as never),
  'errors.show': (ctx, { params }) => ctx.request(ErrorsShow, { id: params.id }),
  'errors.retry': (ctx, { body }) => {
    const b = jsonBody(body);
    return ctx.request(ErrorsRetry, { ...b, by: by(b) } as never);
  },
  resync: (ctx, { body }) => {
    const b = jsonBody(body);
    return ctx.request(Resync, { ...b, by: by(b) } as never);
  },
  'dlq.list': (ctx, { query }) => ctx.request(DlqList, limitRequest(query) as never),
  'dlq.replay': (ctx, { body }) => ctx.request(DlqReplay, jsonBody(body) as never),
};

const PAGE_TIMEOUT_MS = 3_000;
export const PAGE_ERRORS = 20;

async function part<T>(p: Promise<T>): Promise<Part<T>> {
  try {
    return { ok: true, value: await p };
  } catch (err) {
    return { ok: false, error: (err as Error)?.message ?? String(err) };
  }
}

/** Everything the workspace page shows, each part on its own: one actor down blanks one section. */
export async function loadPage(ctx: ActorContext, allDirections: boolean): Promise<PageData> {
  const o = { timeoutMs: PAGE_TIMEOUT_MS };
  const [usage, run, errors] = await Promise.all([
    part(ctx.request(QuotaUsageShow, {}, o)),
    part(ctx.request(BulkStatus, {}, o).then((r) => r.run)),
    part(ctx.request(ErrorsList, { direction: allDirections ? 'all' : 'intercom_to_salesforce', limit: PAGE_ERRORS }, o)),
  ]);
  return { ws: ctx.ws, usage, run, errors, allDirections };
}
