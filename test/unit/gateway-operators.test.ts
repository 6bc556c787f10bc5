import { describe, expect, it } from 'vitest';
import {
  Operators,
  decodeSession,
  encodeSession,
  hashPassword,
  hashToken,
  mayAccess,
  newPassword,
  newToken,
  tokenMatches,
  verifyPassword,
} from '../../actors/gateway/index.ts';
import { ConfigError, PASSWORD_HASH, TOKEN_HASH, parseConfig } from '../../runtime/index.ts';

describe('credentials', () => {
  it('keep a password as a salted scrypt hash that verifies only the password', async () => {
    const h = await hashPassword('correct horse battery');
    expect(h).toMatch(PASSWORD_HASH);
    expect(h).not.toContain('correct horse battery');
    expect(await hashPassword('correct horse battery')).not.toBe(h); // salted
    expect(await verifyPassword('correct horse battery', h)).toBe(true);
    expect(await verifyPassword('correct horse batterY', h)).toBe(false);
    expect(await verifyPassword('correct horse battery', undefined)).toBe(false);
    expect(await verifyPassword('x', 'scrypt$broken')).toBe(false);
    await expect(hashPassword('short')).rejects.toThrow(/at least 12 characters/);
  });

  it('keep an API token as its SHA-256, compared in constant time', () => {
    const t = newToken();
    expect(t).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(hashToken(t)).toMatch(TOKEN_HASH);
    expect(tokenMatches(t, hashToken(t))).toBe(true);
    expect(tokenMatches(`${t}x`, hashToken(t))).toBe(false);
    expect(tokenMatches(t, undefined)).toBe(false);
    expect(newPassword()).toMatch(/^[A-Za-z0-9_-]{20}$/);
  });
});

describe('operators', () => {
  it('sign in by password, act by token, and hold a session only while its credentials stand', async () => {
    const ann = { name: 'ann', role: 'admin' as const, passwordHash: await hashPassword('ann-password-1'), tokenHash: hashToken('tok-a') };
    const rob = { name: 'rob', role: 'read-only' as const, tokenHash: hashToken('tok-r') };
    const ops = new Operators([ann, rob]);
    expect(await ops.signIn('ann', 'ann-password-1')).toBe(ann);
    expect(await ops.signIn('ann', 'wrong-password')).toBeNull();
    expect(await ops.signIn('nobody', 'ann-password-1')).toBeNull();
    expect(await ops.signIn('rob', '')).toBeNull(); // a token-only operator has no password
    expect(ops.byToken('tok-r')).toBe(rob);
    expect(ops.byToken('tok-x')).toBeNull();

    const session = { name: 'ann', exp: 2_000, stamp: ops.stamp(ann) };
    expect(decodeSession(encodeSession(session))).toEqual(session);
    expect(ops.fromSession(session, 1_999)).toBe(ann);
    expect(ops.fromSession(session, 2_000)).toBeNull(); // expired
    expect(ops.fromSession(decodeSession('not json'), 0)).toBeNull();
    // A new password (or token) ends the sessions made with the old one; so does removal.
    const changed = new Operators([{ ...ann, tokenHash: hashToken('tok-b') }]);
    expect(changed.fromSession(session, 1_000)).toBeNull();
    expect(new Operators([rob]).fromSession(session, 1_000)).toBeNull();
  });

  it('let read-only operators read and only admins change', () => {
    expect(mayAccess('read-only', 'read')).toBe(true);
    expect(mayAccess('read-only', 'change')).toBe(false);
    expect(mayAccess('admin', 'change')).toBe(true);
  });

  it('are refused by the config when a password or token is given instead of its hash', () => {
    const bad = () =>
      parseConfig({
        console: {
          operators: [
            { name: 'ann', role: 'admin', passwordHash: 'hunter2-hunter2' },
            { name: 'ann', role: 'root', tokenHash: 'tok' },
            { name: 'cy', role: 'admin' },
          ],
          sessionSecret: 'short',
        },
      });
    expect(bad).toThrow(ConfigError);
    const problems = (() => {
      try {
        bad();
        return [];
      } catch (e) {
        return (e as ConfigError).problems;
      }
    })();
    expect(problems).toEqual(
      expect.arrayContaining([
        expect.stringMatching(
          /^console\.operators\.0\.passwordHash: must be a hash from `peoplesync credentials password`, never the password/,
        ),
        expect.stringMatching(/^console\.operators\.1\.role: /),
        expect.stringMatching(/^console\.operators\.1\.tokenHash: must be a hash from `peoplesync credentials token`, never the token/),
        expect.stringMatching(/^console\.operators\.2: an operator needs a passwordHash, a tokenHash or both/),
        expect.stringMatching(/^console\.sessionSecret: must be at least 32 characters/),
      ]),
    );
  });
});
