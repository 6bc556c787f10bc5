// POST /services/oauth2/token: the client-credentials grant and the JWT bearer grant (RS256,
// always verified against the connected app's certificate). Sessions are opaque tokens the data
// API checks on every call; they end after a period without use (Session Settings' timeout,
// two hours by default), and "expire now" drops them all.

import { createHmac, createPublicKey, randomBytes, verify, type KeyObject } from 'node:crypto';

/** Salesforce's default session timeout. */
export const DEFAULT_SESSION_TIMEOUT_MS = 2 * 60 * 60 * 1000;

export const JWT_BEARER = 'urn:ietf:params:oauth:grant-type:jwt-bearer';

export interface OAuthConfig {
  clientId: string;
  clientSecret: string;
  /** The user a JWT's `sub` must name. */
  username: string;
  /** The certificate's public key (PEM or KeyObject) JWT assertions must be signed for. */
  jwtPublicKey: string | KeyObject;
  /** Extra audiences accepted besides the sandbox URL and login/test.salesforce.com. */
  audiences?: string[];
  orgId: string;
  userId: string;
  /** A session ends after this long without a call. */
  sessionTimeoutMs: number;
}

export interface TokenAnswer {
  status: number;
  body: Record<string, string>;
}

const fail = (error: string, description: string): TokenAnswer => ({ status: 400, body: { error, error_description: description } });

export class SessionStore {
  /** Token -> time of its last use. */
  private sessions = new Map<string, number>();

  constructor(
    private readonly now: () => number,
    private readonly timeoutMs: number,
  ) {}

  issue(orgId: string): string {
    const token = `${orgId}!${randomBytes(24).toString('base64url')}`;
    this.sessions.set(token, this.now());
    return token;
  }

  /** Whether the session is alive; a call on a live session counts as activity. */
  valid(token: string | undefined): boolean {
    if (!token) return false;
    const at = this.sessions.get(token);
    if (at === undefined) return false;
    const now = this.now();
    if (now - at > this.timeoutMs) {
      this.sessions.delete(token);
      return false;
    }
    this.sessions.set(token, now);
    return true;
  }

  expireAll(): void {
    this.sessions.clear();
  }
}

function decodeSegment(seg: string | undefined): Record<string, unknown> | undefined {
  try {
    const v: unknown = JSON.parse(Buffer.from(seg ?? '', 'base64url').toString('utf8'));
    return typeof v === 'object' && v !== null ? (v as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

/** Checks a JWT bearer assertion; returns an error answer or undefined when it is good. */
function checkAssertion(cfg: OAuthConfig, assertion: string, baseUrl: string, nowMs: number): TokenAnswer | undefined {
  const parts = assertion.split('.');
  const header = decodeSegment(parts[0]);
  const claims = decodeSegment(parts[1]);
  if (parts.length !== 3 || !header || !claims) return fail('invalid_grant', 'invalid assertion');
  if (header.alg !== 'RS256') return fail('invalid_grant', 'invalid assertion: alg must be RS256');
  if (claims.iss !== cfg.clientId) return fail('invalid_client', 'client identifier invalid');
  const key = typeof cfg.jwtPublicKey === 'string' ? createPublicKey(cfg.jwtPublicKey) : cfg.jwtPublicKey;
  const ok = verify('RSA-SHA256', Buffer.from(`${parts[0]}.${parts[1]}`), key, Buffer.from(parts[2] ?? '', 'base64url'));
  if (!ok) return fail('invalid_grant', 'invalid assertion: signature does not verify');
  if (claims.sub !== cfg.username) return fail('invalid_grant', "user hasn't approved this consumer");
  const audiences = [baseUrl, 'https://login.salesforce.com', 'https://test.salesforce.com', ...(cfg.audiences ?? [])];
  const aud = Array.isArray(claims.aud) ? claims.aud : [claims.aud];
  if (!aud.some((a) => typeof a === 'string' && audiences.includes(a.replace(/\/$/, ''))))
    return fail('invalid_grant', 'audience is invalid');
  if (typeof claims.exp !== 'number' || claims.exp * 1000 < nowMs) return fail('invalid_grant', 'expired authorization code');
  return undefined;
}

function basicCredentials(authorization: string | undefined): { id?: string; secret?: string } {
  if (!authorization?.startsWith('Basic ')) return {};
  const [id, secret] = Buffer.from(authorization.slice(6), 'base64').toString('utf8').split(':');
  return { id, secret };
}

export function grantToken(
  cfg: OAuthConfig,
  sessions: SessionStore,
  params: URLSearchParams,
  authorization: string | undefined,
  baseUrl: string,
  nowMs: number,
): TokenAnswer {
  const grant = params.get('grant_type');
  if (grant === 'client_credentials') {
    const basic = basicCredentials(authorization);
    const id = params.get('client_id') ?? basic.id;
    const secret = params.get('client_secret') ?? basic.secret;
    if (id !== cfg.clientId || secret !== cfg.clientSecret) return fail('invalid_client', 'invalid client credentials');
  } else if (grant === JWT_BEARER) {
    const problem = checkAssertion(cfg, params.get('assertion') ?? '', baseUrl, nowMs);
    if (problem) return problem;
  } else {
    return fail('unsupported_grant_type', 'grant type not supported');
  }
  const token = sessions.issue(cfg.orgId);
  const id = `${baseUrl}/id/${cfg.orgId}/${cfg.userId}`;
  const issuedAt = String(nowMs);
  return {
    status: 200,
    body: {
      access_token: token,
      instance_url: baseUrl,
      id,
      token_type: 'Bearer',
      issued_at: issuedAt,
      signature: createHmac('sha256', cfg.clientSecret)
        .update(id + issuedAt)
        .digest('base64'),
      scope: 'api',
    },
  };
}
