// A sync error's id is derived from what makes two failures "the same": the workspace, the
// direction, the record, the cause and the attributes involved. The same record failing the same
// way again therefore lands on the same key and updates it instead of adding another.
import { createHash } from 'node:crypto';
import type { Direction, ErrorCause } from '../../protocol/index.ts';

export interface ErrorIdentity {
  direction: Direction;
  sfId: string | null;
  icId: string | null;
  cause: ErrorCause;
  attributes: readonly string[];
}

const SF_ID = /^[A-Za-z0-9]{15}([A-Za-z0-9]{3})?$/;
const SUFFIX = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ012345';

/** The case-insensitive 18-character form of a Salesforce Id (15 characters are case-sensitive),
 * so an error reported with one form and retried with the other stays one error. */
export function toSf18(id: string): string {
  if (!SF_ID.test(id)) return id;
  if (id.length === 18) return id;
  let suffix = '';
  for (let chunk = 0; chunk < 3; chunk++) {
    let bits = 0;
    for (let i = 0; i < 5; i++) {
      const c = id.charCodeAt(chunk * 5 + i);
      if (c >= 65 && c <= 90) bits |= 1 << i;
    }
    suffix += SUFFIX[bits];
  }
  return id + suffix;
}

/** Which record an error is about: the Salesforce side when known, else the Intercom contact. */
export function recordRef(e: { sfId: string | null; icId: string | null }): string {
  if (e.sfId) return `sf:${toSf18(e.sfId)}`;
  if (e.icId) return `ic:${e.icId}`;
  return 'none';
}

/** Attribute names as a set: order and repeats do not make a different failure. */
export function canonicalAttributes(attributes: readonly string[]): string[] {
  return [...new Set(attributes)].sort();
}

/** 24 hex characters (96 bits) of SHA-256: short enough to type, far from any collision. */
export function errorId(ws: string, e: ErrorIdentity): string {
  const material = JSON.stringify([ws, e.direction, recordRef(e), e.cause, canonicalAttributes(e.attributes)]);
  return createHash('sha256').update(material).digest('hex').slice(0, 24);
}

export const ERROR_ID = /^[0-9a-f]{24}$/;

/** KV key of an error: `<ws>.<id>`, so one workspace's errors are listed by `<ws>.*`. */
export function errorKey(ws: string, id: string): string {
  return `${ws}.${id}`;
}
