// Shared by the salesforce-* integration tests: start a sandbox, make a connector client that
// records its calls, read the recorded reference shapes, compare shapes.

import { readFileSync } from 'node:fs';
import {
  createSalesforceClient,
  type SalesforceClient,
  type SalesforceClientOptions,
  type SfChangePage,
} from '../../connectors/salesforce/index.ts';
import type { ApiCallReport, SfChangeCursor, SfObject } from '../../connectors/types.ts';
import type { SalesforceSandbox } from '../../sandbox/salesforce/index.ts';

export const CLIENT_ID = 'test-client-id';
export const CLIENT_SECRET = 'test-client-secret-5d1e0c';

export const REFERENCE_DIR = new URL('../fixtures/reference/salesforce/', import.meta.url);

export function reference(name: string): unknown {
  return JSON.parse(readFileSync(new URL(name, REFERENCE_DIR), 'utf8'));
}

export interface RecordingClient {
  client: SalesforceClient;
  calls: ApiCallReport[];
}

export function clientFor(sb: SalesforceSandbox, extra: Partial<SalesforceClientOptions> = {}): RecordingClient {
  const calls: ApiCallReport[] = [];
  const client = createSalesforceClient({
    auth: { kind: 'client_credentials', loginUrl: sb.url, clientId: CLIENT_ID, clientSecret: CLIENT_SECRET },
    onCall: (r) => calls.push(r),
    retry: { attempts: 4, baseDelayMs: 5, maxDelayMs: 20 },
    timeoutMs: 5_000,
    ...extra,
  });
  return { client, calls };
}

/** One object's change page through the composite read (what change polling calls). */
export async function changes(client: SalesforceClient, object: SfObject, fields: string[], cursor: SfChangeCursor | null, limit?: number) {
  const read = await client.readChangesTogether([{ object, fields, cursor, limit }]);
  return read.pages[object] as SfChangePage;
}

export async function api(
  sb: SalesforceSandbox,
  path: string,
  init: RequestInit & { token?: string } = {},
): Promise<{ status: number; headers: Headers; body: unknown }> {
  const token = init.token ?? sb.issueToken();
  const res = await fetch(`${sb.url}${path}`, {
    ...init,
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', ...(init.headers as Record<string, string>) },
  });
  const text = await res.text();
  return { status: res.status, headers: res.headers, body: text ? JSON.parse(text) : undefined };
}

export function soql(sb: SalesforceSandbox, q: string, token?: string) {
  return api(sb, `/services/data/v62.0/query?q=${encodeURIComponent(q)}`, { token });
}

type Shape = string;

function kind(v: unknown): Shape {
  return v === null ? 'null' : Array.isArray(v) ? 'array' : typeof v;
}

/** Differences between two JSON values' shapes: the same keys at every level and the same value
 * types. A null in the reference stands for "some type, unknown", so anything matches it; keys
 * in `nullable` (null elsewhere in the recording) may be null in `actual`. Arrays compare every
 * element of `actual` against the reference's first element. */
export function shapeDiff(ref: unknown, actual: unknown, path = '$', nullable: ReadonlySet<string> = new Set()): string[] {
  if (ref === null) return [];
  if (actual === null && nullable.has(path.slice(path.lastIndexOf('.') + 1))) return [];
  if (kind(ref) !== kind(actual)) return [`${path}: expected ${kind(ref)}, got ${kind(actual)}`];
  if (Array.isArray(ref)) {
    if (ref.length === 0) return [];
    return (actual as unknown[]).flatMap((a, i) => shapeDiff(ref[0], a, `${path}[${i}]`, nullable));
  }
  if (typeof ref === 'object') {
    const r = ref as Record<string, unknown>;
    const a = actual as Record<string, unknown>;
    const out: string[] = [];
    for (const k of Object.keys(r)) if (!(k in a)) out.push(`${path}.${k}: missing`);
    for (const k of Object.keys(a)) if (!(k in r)) out.push(`${path}.${k}: not in the reference`);
    for (const k of Object.keys(r)) if (k in a) out.push(...shapeDiff(r[k], a[k], `${path}.${k}`, nullable));
    return out;
  }
  return [];
}
