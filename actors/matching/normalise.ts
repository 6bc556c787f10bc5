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

/**
 * A match-key value (e.g. an external_id holding a Salesforce field's value) in comparable form:
 * NFC and trimmed, case kept, since ids such as Salesforce's are case-sensitive. Numbers and
 * booleans compare by their text; anything else (objects, empty text) is no key.
 */
export function normaliseKeyValue(v: unknown): string | null {
  if (typeof v === 'number') return Number.isFinite(v) ? String(v) : null;
  if (typeof v === 'boolean') return String(v);
  if (typeof v !== 'string') return null;
  const out = v.normalize('NFC').trim();
  return out === '' ? null : out;
}
