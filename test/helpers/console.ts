// Operators for tests of the console and the API: an admin and a read-only one, each with a
// password and an API token, their hashes in the config as a deployment would hold them; and a
// signed-in client made the way a browser signs in (the login form, its CSRF token, cookies).
import { hashPassword, hashToken } from '../../actors/gateway/index.ts';

export const ADMIN = { name: 'ann', password: 'ann-correct-horse-1', token: 'tok-ann-0123456789abcdef0123456789abcdef' };
export const READER = { name: 'rob', password: 'rob-battery-staple-2', token: 'tok-rob-0123456789abcdef0123456789abcdef' };
export const SESSION_SECRET = 'test-session-secret-0123456789abcdef';

let hashed: Promise<Record<string, unknown>> | null = null;

/** The `console` part of a config with both operators. */
export function consoleConfig(): Promise<Record<string, unknown>> {
  hashed ??= (async () => ({
    operators: [
      { name: ADMIN.name, role: 'admin', passwordHash: await hashPassword(ADMIN.password), tokenHash: hashToken(ADMIN.token) },
      { name: READER.name, role: 'read-only', passwordHash: await hashPassword(READER.password), tokenHash: hashToken(READER.token) },
    ],
    sessionSecret: SESSION_SECRET,
  }))();
  return hashed;
}

export const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

/** Cookies as a browser keeps them: name=value, replaced by later Set-Cookie headers. */
export class CookieJar {
  private readonly jar = new Map<string, string>();
  take(res: Response): void {
    for (const c of res.headers.getSetCookie()) {
      const [pair] = c.split(';');
      const i = pair.indexOf('=');
      const name = pair.slice(0, i);
      const value = pair.slice(i + 1);
      if (value === '' || /expires=Thu, 01 Jan 1970/i.test(c)) this.jar.delete(name);
      else this.jar.set(name, value);
    }
  }
  header(): string {
    return [...this.jar].map(([k, v]) => `${k}=${v}`).join('; ');
  }
  has(name: string): boolean {
    return this.jar.has(name);
  }
}

export const csrfOf = (html: string): string => /<meta name="csrf-token" content="([^"]*)"/.exec(html)?.[1] ?? '';

export interface SignedIn {
  cookies: CookieJar;
  /** The CSRF token of a page rendered for the signed-in operator. */
  csrf: string;
  fetch(path: string, init?: RequestInit): Promise<Response>;
}

/** Signs in through the login form; throws when refused. */
export async function signIn(base: string, who: { name: string; password: string }): Promise<SignedIn> {
  const cookies = new CookieJar();
  const get = await fetch(`${base}/login`);
  cookies.take(get);
  const form = new URLSearchParams({ name: who.name, password: who.password, next: '/', _csrf: csrfOf(await get.text()) });
  const post = await fetch(`${base}/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: cookies.header() },
    body: form,
    redirect: 'manual',
  });
  if (post.status !== 303) throw new Error(`sign-in of ${who.name} refused: ${post.status}`);
  cookies.take(post);
  const session: SignedIn = {
    cookies,
    csrf: '',
    fetch: async (path, init = {}) => {
      const res = await fetch(`${base}${path}`, {
        redirect: 'manual',
        ...init,
        headers: { cookie: cookies.header(), ...(init.headers as Record<string, string>) },
      });
      cookies.take(res);
      return res;
    },
  };
  session.csrf = csrfOf(await (await session.fetch('/')).text());
  return session;
}
