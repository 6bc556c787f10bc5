import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { normaliseEmail } from '../../actors/matching/normalise.ts';

describe('normaliseEmail', () => {
  it('trims surrounding blanks and lower-cases', () => {
    expect(normaliseEmail('  Ann.Lee@Example.COM \n')).toBe('ann.lee@example.com');
    expect(normaliseEmail('\u00a0bob@example.com\t')).toBe('bob@example.com');
  });

  it('keeps +tags and dots: they may name another mailbox', () => {
    expect(normaliseEmail('Ann.Lee+Sales@Example.com')).toBe('ann.lee+sales@example.com');
    expect(normaliseEmail('a.n.n@gmail.com')).not.toBe(normaliseEmail('ann@gmail.com'));
    expect(normaliseEmail('ann+x@gmail.com')).not.toBe(normaliseEmail('ann@gmail.com'));
  });

  it('composed and decomposed forms of one address are equal', () => {
    const composed = 'Jos\u00e9@Exampl\u00e9.com';
    const decomposed = 'Jose\u0301@Example\u0301.com';
    expect(composed).not.toBe(decomposed);
    expect(normaliseEmail(decomposed)).toBe(normaliseEmail(composed));
    expect(normaliseEmail(decomposed)).toBe('jos\u00e9@exampl\u00e9.com');
    expect(normaliseEmail('\u00c9MILE@example.com')).toBe(normaliseEmail('E\u0301mile@example.com'));
    expect(normaliseEmail('Ångström@例え.jp')).toBe('ångström@例え.jp');
  });

  it('nothing there is null', () => {
    expect(normaliseEmail('')).toBeNull();
    expect(normaliseEmail('   ')).toBeNull();
    expect(normaliseEmail(null)).toBeNull();
    expect(normaliseEmail(undefined)).toBeNull();
  });

  it('is idempotent and ignores case and composition for any text', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme' }), (s) => {
        const once = normaliseEmail(s);
        expect(normaliseEmail(once)).toBe(once);
        expect(normaliseEmail(s.toUpperCase().normalize('NFD'))).toBe(normaliseEmail(s.toUpperCase()));
      }),
    );
  });
});
