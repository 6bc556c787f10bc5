// `peoplesync resync <key>`: the one argument names a person by email, Salesforce Id or Intercom
// contact id. Which it is follows from its shape; anything else is refused with the shapes allowed.
import type { SfObject } from '../../connectors/index.ts';
import { toSf18 } from './error-id.ts';

export type ResyncTarget =
  { kind: 'email'; email: string } | { kind: 'salesforce'; sfObject: SfObject; sfId: string } | { kind: 'intercom'; icId: string };

export class ResyncKeyError extends Error {
  override name = 'ResyncKeyError';
}

const SF_ID = /^[A-Za-z0-9]{15}(?:[A-Za-z0-9]{3})?$/;
const IC_ID = /^[0-9a-f]{24}$/i;
const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
const PREFIXES: Readonly<Record<string, SfObject>> = { '00Q': 'Lead', '003': 'Contact' };

export function parseResyncKey(raw: string): ResyncTarget {
  const key = raw.trim();
  if (key.includes('@')) {
    if (!EMAIL.test(key)) throw new ResyncKeyError(`"${raw}" looks like an email address but is not a valid one`);
    return { kind: 'email', email: key };
  }
  // Checked before Salesforce Ids: 24 hex characters never have a 15/18 length.
  if (IC_ID.test(key)) return { kind: 'intercom', icId: key.toLowerCase() };
  if (SF_ID.test(key)) {
    const sfObject = PREFIXES[key.slice(0, 3)];
    if (!sfObject) {
      throw new ResyncKeyError(
        `"${raw}" looks like a Salesforce Id but its prefix ${key.slice(0, 3)} is neither a Lead (00Q) nor a Contact (003)`,
      );
    }
    return { kind: 'salesforce', sfObject, sfId: toSf18(key) };
  }
  throw new ResyncKeyError(
    `"${raw}" is not an email, a Salesforce Lead/Contact Id (15 or 18 characters, 00Q or 003) or an Intercom contact id (24 hex characters)`,
  );
}
