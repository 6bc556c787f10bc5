// Operator credentials: passwords kept as scrypt hashes, API tokens as SHA-256 hashes (a token is
// 32 random bytes, so a fast hash is enough), and the comparisons, all in constant time. Pure
// apart from the randomness of new salts, passwords and tokens.
import { createHash, randomBytes, scrypt as scryptCb, timingSafeEqual } from 'node:crypto';
import { promisify } from 'node:util';

const scrypt = promisify(scryptCb) as (password: string, salt: Buffer, keylen: number, o: object) => Promise<Buffer>;

/** N=2^15, r=8, p=1: about 50 ms a check, 32 MB of memory. */
const COST = { N: 32_768, r: 8, p: 1 };
const KEY_BYTES = 32;
const maxmem = (c: { N: number; r: number }) => 256 * c.N * c.r;

/** `scrypt$N$r$p$salt$hash` (salt and hash base64url): what an operator's passwordHash holds. */
export async function hashPassword(password: string): Promise<string> {
  if (password.length < 12) throw new RangeError('a password must have at least 12 characters');
  const salt = randomBytes(16);
  const key = await scrypt(password, salt, KEY_BYTES, { ...COST, maxmem: maxmem(COST) });
  return ['scrypt', COST.N, COST.r, COST.p, salt.toString('base64url'), key.toString('base64url')].join('$');
}

function parseHash(stored: string): { N: number; r: number; p: number; salt: Buffer; key: Buffer } | null {
  const [kind, n, r, p, salt, key] = stored.split('$');
  if (kind !== 'scrypt' || !salt || !key) return null;
  return { N: Number(n), r: Number(r), p: Number(p), salt: Buffer.from(salt, 'base64url'), key: Buffer.from(key, 'base64url') };
}

// Checked when the name is unknown, so a wrong name costs as long as a wrong password.
const DECOY = `scrypt$${COST.N}$${COST.r}$${COST.p}$${randomBytes(16).toString('base64url')}$${randomBytes(KEY_BYTES).toString('base64url')}`;

/** Whether `password` matches `stored`; an absent or unreadable hash matches nothing (after the
 * same work as a real check). */
export async function verifyPassword(password: string, stored: string | undefined): Promise<boolean> {
  const h = parseHash(stored ?? '') ?? (parseHash(DECOY) as NonNullable<ReturnType<typeof parseHash>>);
  const cost = { N: h.N, r: h.r, p: h.p };
  const key = await scrypt(password, h.salt, h.key.length, { ...cost, maxmem: maxmem(cost) });
  return stored !== undefined && stored !== DECOY && parseHash(stored) !== null && timingSafeEqual(key, h.key);
}

/** `sha256$<hex>`: what an operator's tokenHash holds. */
export function hashToken(token: string): string {
  return `sha256$${createHash('sha256').update(token, 'utf8').digest('hex')}`;
}

export function tokenMatches(token: string, stored: string | undefined): boolean {
  if (!stored) return false;
  const a = Buffer.from(hashToken(token));
  const b = Buffer.from(stored);
  return a.length === b.length && timingSafeEqual(a, b);
}

/** A new password (20 characters) or API token (43 characters), from 15 or 32 random bytes. */
export const newPassword = (): string => randomBytes(15).toString('base64url');
export const newToken = (): string => randomBytes(32).toString('base64url');

/** A short digest of an operator's credentials: a session made before they changed is refused. */
export function credentialStamp(...hashes: (string | undefined)[]): string {
  return createHash('sha256')
    .update(hashes.map((h) => h ?? '').join('|'))
    .digest('base64url')
    .slice(0, 16);
}
