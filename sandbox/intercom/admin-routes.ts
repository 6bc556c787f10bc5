// /__admin/: JSON control of the sandbox for tests and demos, the same operations the
// IntercomSandbox object offers in-process. No auth, no rate limit, never faulted.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { SandboxConflictError, SandboxInputError, SandboxNotFoundError } from './errors.ts';
import { BodyError, parseJson, readBody, sendJson, sendText } from './http.ts';
import type { FaultOptions, IntercomSandbox, SandboxConfigPatch, UserChange } from './types.ts';
import type { DataAttribute, StoredContact } from './wire.ts';

const MAX_ADMIN_BODY = 512 * 1024 * 1024;

class AdminError extends Error {
  override name = 'AdminError';
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

async function jsonBody(req: IncomingMessage): Promise<unknown> {
  const parsed = parseJson(await readBody(req, MAX_ADMIN_BODY));
  if (!parsed.ok) throw new AdminError(400, 'the request body is not valid JSON');
  return parsed.value;
}

type Handler = (sb: IntercomSandbox, req: IncomingMessage, res: ServerResponse, arg: string, q: URLSearchParams) => Promise<void> | void;

const ROUTES: Array<[method: string, pattern: RegExp, handler: Handler]> = [
  ['GET', /^\/contacts$/, (sb, _req, res) => sendJson(res, 200, { counts: sb.counts(), contacts: sb.contacts() })],
  [
    'GET',
    /^\/contacts\/([^/]+)$/,
    (sb, _req, res, id) => {
      const c = sb.getContact(id);
      if (!c) throw new SandboxNotFoundError(`contact ${id} does not exist`);
      sendJson(res, 200, c);
    },
  ],
  [
    'POST',
    /^\/contacts$/,
    async (sb, req, res, _a, q) => {
      const body = await jsonBody(req);
      const list = (Array.isArray(body) ? body : [body]) as Array<Partial<StoredContact>>;
      sendJson(res, 201, { created: sb.createContacts(list, { notify: q.get('notify') === 'true' }) });
    },
  ],
  [
    'PATCH',
    /^\/contacts\/([^/]+)$/,
    async (sb, req, res, id) => {
      sendJson(res, 200, sb.userChange(id, (await jsonBody(req)) as UserChange));
    },
  ],
  [
    'DELETE',
    /^\/contacts\/([^/]+)$/,
    (sb, _req, res, id) => {
      sb.userDelete(id);
      sendJson(res, 200, { deleted: id });
    },
  ],
  [
    'POST',
    /^\/merge$/,
    async (sb, req, res) => {
      const b = (await jsonBody(req)) as { from?: unknown; into?: unknown } | null;
      if (typeof b?.from !== 'string' || typeof b.into !== 'string') throw new AdminError(400, 'merge needs {from, into} contact ids');
      sendJson(res, 200, sb.userMerge(b.from, b.into));
    },
  ],
  [
    'POST',
    /^\/clock$/,
    async (sb, req, res) => {
      sb.advanceClock(Number(((await jsonBody(req)) as { advanceMs?: unknown } | null)?.advanceMs));
      sendJson(res, 200, {});
    },
  ],
  ['GET', /^\/data_attributes$/, (sb, _req, res) => sendJson(res, 200, sb.dataAttributes())],
  [
    'POST',
    /^\/data_attributes$/,
    async (sb, req, res) => {
      const body = await jsonBody(req);
      sb.defineAttributes((Array.isArray(body) ? body : [body]) as DataAttribute[]);
      sendJson(res, 200, sb.dataAttributes());
    },
  ],
  ['GET', /^\/dump$/, (sb, _req, res) => sendText(res, 200, sb.dumpNdjson(), 'application/x-ndjson')],
  [
    'POST',
    /^\/load$/,
    async (sb, req, res, _a, q) => {
      const text = await readBody(req, MAX_ADMIN_BODY);
      sendJson(res, 200, { loaded: sb.loadNdjson(text, { append: q.get('append') === 'true' }) });
    },
  ],
  ['GET', /^\/faults$/, (sb, _req, res) => sendJson(res, 200, sb.faults() ?? {})],
  [
    'PUT',
    /^\/faults$/,
    async (sb, req, res) => {
      sb.setFaults((await jsonBody(req)) as FaultOptions);
      sendJson(res, 200, sb.faults() ?? {});
    },
  ],
  [
    'DELETE',
    /^\/faults$/,
    (sb, _req, res) => {
      sb.setFaults(undefined);
      sendJson(res, 200, {});
    },
  ],
  ['GET', /^\/stats$/, (sb, _req, res) => sendJson(res, 200, sb.stats())],
  [
    'DELETE',
    /^\/stats$/,
    (sb, _req, res) => {
      sb.resetStats();
      sendJson(res, 200, sb.stats());
    },
  ],
  [
    'PUT',
    /^\/config$/,
    async (sb, req, res) => {
      sb.configure((await jsonBody(req)) as SandboxConfigPatch);
      sendJson(res, 200, {});
    },
  ],
  [
    'POST',
    /^\/webhooks\/drain$/,
    async (sb, _req, res) => {
      await sb.drainWebhooks();
      sendJson(res, 200, sb.stats());
    },
  ],
];

export async function handleAdmin(req: IncomingMessage, res: ServerResponse, sb: IntercomSandbox): Promise<void> {
  const url = new URL(req.url ?? '/', 'http://sandbox');
  const path = url.pathname.slice('/__admin'.length);
  try {
    for (const [method, pattern, handler] of ROUTES) {
      const m = pattern.exec(path);
      if (m && req.method === method) return await handler(sb, req, res, decodeURIComponent(m[1] ?? ''), url.searchParams);
    }
    throw new AdminError(404, `no admin route for ${req.method} ${url.pathname}`);
  } catch (err) {
    const status =
      err instanceof AdminError
        ? err.status
        : err instanceof SandboxConflictError
          ? 409
          : err instanceof SandboxNotFoundError
            ? 404
            : err instanceof SandboxInputError || err instanceof BodyError
              ? 400
              : 500;
    sendJson(res, status, { error: (err as Error).message });
  }
}
