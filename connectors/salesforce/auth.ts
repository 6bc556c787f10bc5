// Obtains sessions: the client-credentials grant and the JWT bearer grant (RS256 assertion
// signed here with node:crypto), both through jsforce's OAuth2 token call.

import { createPrivateKey, sign, type KeyObject } from 'node:crypto';
import { type OAuth2, type TokenResponse } from 'jsforce';
import { ConnectorError } from '../errors.ts';
import { type Redactor, toConnectorError } from './error-map.ts';
import type { SalesforceAuth } from './types.ts';

export const JWT_BEARER_GRANT = 'urn:ietf:params:oauth:grant-type:jwt-bearer';

export interface Session {
  accessToken: string;
  instanceUrl: string;
  /** The integration user's Id (the token answer's `id` URL ends in /<orgId>/<userId>). */
  userId?: string;
}

type GrantAuth = Exclude<SalesforceAuth, { kind: 'token' }>;

const b64url = (v: unknown): string => Buffer.from(JSON.stringify(v)).toString('base64url');

/** A JWT bearer assertion valid for three minutes, as Salesforce requires. */
export function signJwtAssertion(
  claims: { clientId: string; username: string; audience: string },
  privateKey: string | KeyObject,
  nowMs = Date.now(),
): string {
  const head = b64url({ alg: 'RS256', typ: 'JWT' });
  const body = b64url({ iss: claims.clientId, sub: claims.username, aud: claims.audience, exp: Math.floor(nowMs / 1000) + 180 });
  const key = typeof privateKey === 'string' ? createPrivateKey(privateKey) : privateKey;
  const signature = sign('RSA-SHA256', Buffer.from(`${head}.${body}`), key).toString('base64url');
  return `${head}.${body}.${signature}`;
}

export function checkAuth(auth: SalesforceAuth): void {
  const need = (ok: boolean, what: string) => {
    if (!ok) throw new Error(`Salesforce auth (${auth.kind}): ${what}`);
  };
  const isUrl = (u: unknown) => typeof u === 'string' && /^https?:\/\/[^/]+/.test(u);
  switch (auth.kind) {
    case 'client_credentials':
      need(isUrl(auth.loginUrl), 'loginUrl must be an http(s) URL');
      need(typeof auth.clientId === 'string' && auth.clientId !== '', 'clientId is required');
      need(typeof auth.clientSecret === 'string' && auth.clientSecret !== '', 'clientSecret is required');
      break;
    case 'jwt':
      need(isUrl(auth.loginUrl), 'loginUrl must be an http(s) URL');
      need(typeof auth.clientId === 'string' && auth.clientId !== '', 'clientId is required');
      need(typeof auth.username === 'string' && auth.username !== '', 'username is required');
      need(Boolean(auth.privateKey), 'privateKey is required');
      break;
    case 'token':
      need(isUrl(auth.instanceUrl), 'instanceUrl must be an http(s) URL');
      need(typeof auth.accessToken === 'string' && auth.accessToken !== '', 'accessToken is required');
      break;
    default:
      throw new Error(`Salesforce auth kind must be client_credentials, jwt or token, got ${String((auth as { kind?: unknown }).kind)}`);
  }
}

/** Runs the configured grant once through `oauth2` (whose transport is instrumented). */
export async function runGrant(auth: GrantAuth, oauth2: OAuth2, redactor: Redactor): Promise<Session> {
  let res: TokenResponse;
  try {
    if (auth.kind === 'client_credentials') {
      res = await oauth2.requestToken({ grant_type: 'client_credentials' });
    } else {
      const assertion = signJwtAssertion(
        { clientId: auth.clientId, username: auth.username, audience: auth.audience ?? auth.loginUrl },
        auth.privateKey,
      );
      res = await oauth2.requestToken({ grant_type: JWT_BEARER_GRANT, assertion });
    }
  } catch (err) {
    throw grantError(err, redactor);
  }
  if (!res || typeof res.access_token !== 'string' || typeof res.instance_url !== 'string') {
    throw new ConnectorError('Salesforce token answer lacks access_token or instance_url', {
      kind: 'auth',
      system: 'salesforce',
      code: 'INVALID_TOKEN_RESPONSE',
    });
  }
  redactor.add(res.access_token);
  const userId = typeof res.id === 'string' ? /\/([A-Za-z0-9]{15,18})$/.exec(res.id)?.[1] : undefined;
  return { accessToken: res.access_token, instanceUrl: res.instance_url.replace(/\/$/, ''), ...(userId ? { userId } : {}) };
}

function grantError(err: unknown, redactor: Redactor): ConnectorError {
  const name = (err as { name?: unknown })?.name;
  // jsforce names the error after the OAuth `error` field (invalid_client, invalid_grant, ...).
  if (typeof name === 'string' && /^[a-z_]+$/.test(name)) {
    const message = redactor.redact((err as Error).message ?? '').slice(0, 300);
    return new ConnectorError(`Salesforce token request refused: ${name}: ${message}`, {
      kind: 'auth',
      system: 'salesforce',
      code: name,
      status: 400,
    });
  }
  const http = typeof name === 'string' ? /^ERROR_HTTP_(\d{3})$/.exec(name) : null;
  if (http) {
    const status = Number(http[1]);
    const opts = { system: 'salesforce' as const, code: name as string, status };
    return status >= 500
      ? new ConnectorError(`Salesforce token request failed: ${name}`, { ...opts, kind: 'transient' })
      : new ConnectorError(`Salesforce token request refused: ${name}`, { ...opts, kind: 'auth' });
  }
  return toConnectorError(err, 'token request', undefined, redactor);
}
