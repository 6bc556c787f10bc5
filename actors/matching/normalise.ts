// The form emails are matched in. Only differences no mail system treats as meaningful are
// removed: surrounding blanks, letter case and Unicode composition. Dots and +tags stay, since for
// most domains they name a different mailbox, and a wrong match writes into someone else's record.

/** Trimmed, lower-cased, NFC email; null when there is none. */
export function normaliseEmail(s: string | null | undefined): string | null {
  if (s === null || s === undefined) return null;
  // NFC before and after lower-casing: a few letters lower-case into sequences NFC composes.
  const out = s.normalize('NFC').trim().toLowerCase().normalize('NFC');
  return out === '' ? null : out;
}
