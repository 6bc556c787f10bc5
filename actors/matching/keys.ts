// KV keys of the identity index and the links. JetStream keys allow only [-/_=.a-zA-Z0-9], so
// emails and match-key values are hashed, and ids that do not fit are encoded (with a leading
// '=' that a plain id never has). Nothing here relies on listing keys: on nats-server 2.9 a
// filtered keys() listing can end early (its end is told by a pending count the server gets
// wrong on a bucket with overwrites), so the contacts of a workspace are kept in a directory.
//
//   bucket index:  <ws>.c.<icId>            IndexEntry of one Intercom contact
//                  <ws>.e.<hash(email)>     Lookup: contacts with this normalised email
//                  <ws>.k.<hash(value)>     Lookup: contacts with this match-key value
//                  <ws>.d.<shard>           Directory: every indexed contact, in 4,096 shards
//                  <ws>.r.<run>.<page>      PageSeen: contacts one refresh page listed
//                  <ws>.rs                  RefreshState: the run whose pages are stored
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

/** Every shard is rewritten whole when a contact enters it: many small shards keep a first
 * refresh of 100k contacts from rewriting kilobytes per contact (256 shards did: 46 s of a 85 s
 * bulk run went to the index phase). */
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
