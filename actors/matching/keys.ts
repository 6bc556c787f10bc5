// KV keys of the identity index and the links. JetStream keys allow only [-/_=.a-zA-Z0-9], so
// emails and match-key values are hashed, and ids that do not fit are encoded (with a leading
// '=' that a plain id never has). Nothing here relies on listing keys: listing the contacts of a
// workspace reads every entry (about 5 s for 100k), so they are named by refresh page records and
// directory shards instead (directory.ts), which a refresh reads in well under a second.
//
//   bucket index:  <ws>.c.<icId>            IndexEntry of one Intercom contact
//                  <ws>.e.<hash(email)>     Lookup: contacts with this normalised email
//                  <ws>.k.<hash(value)>     Lookup: contacts with this match-key value
//                  <ws>.d.<shard>           Directory: contacts indexed other than by a refresh, in 4,096 shards
//                  <ws>.r.<run>.<page>      PageRecord: contacts one refresh page listed
//                  <ws>.rs                  RefreshState: the current refresh and earlier ones whose pages are kept
//   bucket links:  <ws>.sf.<sfId>           SfLink: the Intercom contact of a Salesforce record
//                  <ws>.ic.<icId>           IcLinks: the Lead and/or Contact of an Intercom contact
import { createHash } from 'node:crypto';

const PLAIN = /^[-_a-zA-Z0-9]+$/;

/** A key token for an id: the id itself when it fits, else '=' + base64url. */
export function keyToken(id: string): string {
  return PLAIN.test(id) ? id : `=${Buffer.from(id, 'utf8').toString('base64url')}`;
}

export function fromKeyToken(token: string): string {
  return token.startsWith('=') ? Buffer.from(token.slice(1), 'base64url').toString('utf8') : token;
}

/** 160 bits, base64url: 27 key characters for any email or value. */
export function digest(value: string): string {
  return createHash('sha1').update(value, 'utf8').digest('base64url');
}

export type LookupKind = 'e' | 'k';

export const indexKeys = {
  contact: (ws: string, icId: string) => `${ws}.c.${keyToken(icId)}`,
  lookup: (ws: string, kind: LookupKind, value: string) => `${ws}.${kind}.${digest(value)}`,
  shard: (ws: string, shard: number) => `${ws}.d.${shard.toString(16).padStart(3, '0')}`,
  page: (ws: string, run: string, page: number) => `${ws}.r.${keyToken(run)}.${page}`,
  refreshState: (ws: string) => `${ws}.rs`,
} as const;

/** Every shard is rewritten whole when a contact enters it, so many small shards. Contacts a
 * refresh indexes are named by its page records instead: a first refresh of 100k contacts
 * through the shards cost two KV operations per contact, and rewrote ever larger shards as the
 * index grew (at 1M contacts, 244 ids a shard). */
export const DIRECTORY_SHARDS = 4096;

/** The directory shard of a contact: the first 12 bits of a hash, so shards fill evenly. */
export function shardOf(icId: string): number {
  const h = createHash('sha1').update(icId, 'utf8').digest();
  return (h[0] << 4) | (h[1] >> 4);
}

export const linkKeys = {
  sf: (ws: string, sfId: string) => `${ws}.sf.${keyToken(sfId)}`,
  ic: (ws: string, icId: string) => `${ws}.ic.${keyToken(icId)}`,
} as const;
