// Who may use the console and the API: the operators of the config, their roles, and the session a
// browser holds. Pure apart from the password check's hashing.
import type { OperatorConfig } from '../../runtime/index.ts';
import { credentialStamp, tokenMatches, verifyPassword } from './credentials.ts';

/** What a route allows: anyone, any signed-in operator, or operators who may change things. */
export type Access = 'public' | 'read' | 'change';
export type Role = OperatorConfig['role'];

export interface Operator {
  name: string;
  role: Role;
  /** How the request proved it: a browser session (needs CSRF tokens) or a bearer token. */
  via: 'session' | 'token';
}

export function mayAccess(role: Role, access: Access): boolean {
  return access !== 'change' || role === 'admin';
}

/** A browser session as its (signed) cookie carries it. */
export interface Session {
  name: string;
  /** Expiry, ms since the epoch. */
  exp: number;
  /** The operator's credentials when it began: changing them ends every session. */
  stamp: string;
}

export function encodeSession(s: Session): string {
  return Buffer.from(JSON.stringify([s.name, s.exp, s.stamp]), 'utf8').toString('base64url');
}

export function decodeSession(value: string): Session | null {
  try {
    const v = JSON.parse(Buffer.from(value, 'base64url').toString('utf8')) as unknown;
    if (!Array.isArray(v) || typeof v[0] !== 'string' || typeof v[1] !== 'number' || typeof v[2] !== 'string') return null;
    return { name: v[0], exp: v[1], stamp: v[2] };
  } catch {
    return null;
  }
}

export class Operators {
  private readonly list: readonly OperatorConfig[];

  constructor(list: readonly OperatorConfig[]) {
    this.list = list;
  }

  get configured(): boolean {
    return this.list.length > 0;
  }

  private byName(name: string): OperatorConfig | undefined {
    return this.list.find((o) => o.name === name);
  }

  stamp(o: OperatorConfig): string {
    return credentialStamp(o.passwordHash, o.tokenHash);
  }

  /** The operator whose password this is; as slow for an unknown name as for a wrong password. */
  async signIn(name: string, password: string): Promise<OperatorConfig | null> {
    const o = this.byName(name);
    return (await verifyPassword(password, o?.passwordHash)) && o ? o : null;
  }

  /** The operator holding this API token. */
  byToken(token: string): OperatorConfig | null {
    let found: OperatorConfig | null = null;
    for (const o of this.list) if (tokenMatches(token, o.tokenHash)) found = o; // every one compared: no early exit
    return found;
  }

  /** The operator of a session still valid at `now`: not expired, the operator still configured
   * with the same credentials. */
  fromSession(s: Session | null, now: number): OperatorConfig | null {
    if (!s || s.exp <= now) return null;
    const o = this.byName(s.name);
    return o && this.stamp(o) === s.stamp ? o : null;
  }
}
