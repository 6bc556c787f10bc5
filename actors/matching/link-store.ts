// Links between matched records, stored both ways in the links bucket so that either side finds
// the other without the key: `<ws>.sf.<sfId>` -> SfLink, `<ws>.ic.<icId>` -> IcLinks. The contact
// side changes by compare-and-set (a Lead and a Contact may link one user at once).
import type { SfObject } from '../../connectors/index.ts';
import { IcLinksSchema, type SfLink, SfLinkSchema, kvValue } from '../../protocol/index.ts';
import { KvConflictError, type TypedKv } from '../../runtime/index.ts';
import type { IcLinks } from './join.ts';
import { getMany } from './kv-read.ts';
import { linkKeys } from './keys.ts';

export type { SfLink };

/** Contact-side links as read, with the revision to update them by (0 = none stored). */
export interface IcLinksRead {
  links: IcLinks;
  revision: number;
}

/** A record's link; a value not of its schema is no link (the record matches again). */
function asSfLink(v: unknown): SfLink | null {
  return kvValue(SfLinkSchema, v);
}

/** A contact's links; a value not of its schema counts as none, and is replaced when written. */
function asIcLinks(v: unknown): IcLinks {
  const l = kvValue(IcLinksSchema, v);
  const out: IcLinks = {};
  if (l?.Lead !== undefined) out.Lead = l.Lead;
  if (l?.Contact !== undefined) out.Contact = l.Contact;
  return out;
}

export class LinkStore {
  readonly kv: TypedKv;
  readonly ws: string;

  constructor(kv: TypedKv, ws: string) {
    this.kv = kv;
    this.ws = ws;
  }

  async sfLinks(sfIds: Iterable<string>): Promise<Map<string, SfLink>> {
    const list = [...new Set(sfIds)];
    const values = await getMany(
      this.kv,
      list.map((id) => linkKeys.sf(this.ws, id)),
    );
    const out = new Map<string, SfLink>();
    values.forEach((v, i) => {
      const l = asSfLink(v);
      if (l) out.set(list[i], l);
    });
    return out;
  }

  async icLinks(icIds: Iterable<string>): Promise<Map<string, IcLinksRead>> {
    const list = [...new Set(icIds)];
    const read = await this.kv.getMany(list.map((id) => linkKeys.ic(this.ws, id)));
    const out = new Map<string, IcLinksRead>();
    read.forEach((r, i) => out.set(list[i], { links: asIcLinks(r?.value), revision: r?.revision ?? 0 }));
    return out;
  }

  /**
   * Links a record and a contact both ways. `known` is the contact side as just read: a write
   * by its revision saves a read, and a conflict falls back to read-modify-write. A Contact
   * takes a user from a Lead: the Lead's link goes.
   */
  async link(object: SfObject, sfId: string, icId: string, known?: IcLinksRead): Promise<void> {
    let displaced: string | undefined;
    const next = (cur: IcLinks): IcLinks | undefined => {
      if (cur[object] === sfId && !(object === 'Contact' && cur.Lead)) return undefined;
      displaced = object === 'Contact' ? cur.Lead : undefined;
      const out: IcLinks = { ...cur, [object]: sfId };
      if (object === 'Contact') delete out.Lead;
      return out;
    };
    const icKey = linkKeys.ic(this.ws, icId);
    await Promise.all([this.kv.put(linkKeys.sf(this.ws, sfId), { icId, object } satisfies SfLink), this.writeIc(icKey, next, known)]);
    if (displaced && displaced !== sfId) await this.dropSfIfTo(displaced, icId);
  }

  /** Creates the contact side when the contact has no links key yet; its revision, or null
   * when one exists (then the caller reads it). A first run claims every contact this way
   * without reading its links first. */
  async claim(object: SfObject, sfId: string, icId: string): Promise<number | null> {
    try {
      return await this.kv.create(linkKeys.ic(this.ws, icId), { [object]: sfId } satisfies IcLinks);
    } catch (err) {
      if (err instanceof KvConflictError) return null;
      throw err;
    }
  }

  /** Takes back a claim the record did not keep. */
  async unclaim(object: SfObject, sfId: string, icId: string): Promise<void> {
    await this.kv.modify(linkKeys.ic(this.ws, icId), (cur) => {
      const links = asIcLinks(cur);
      if (links[object] !== sfId) return undefined;
      delete links[object];
      return links;
    });
  }

  private async writeIc(key: string, next: (cur: IcLinks) => IcLinks | undefined, known?: IcLinksRead): Promise<void> {
    if (known) {
      const value = next(known.links);
      if (value === undefined) return;
      try {
        if (known.revision === 0) await this.kv.create(key, value);
        else await this.kv.update(key, value, known.revision);
        return;
      } catch (err) {
        if (!(err instanceof KvConflictError)) throw err;
      }
    }
    await this.kv.modify(key, (cur) => next(asIcLinks(cur)));
  }

  /** Deletes `<ws>.sf.<sfId>` if it still points at `icId`. */
  private async dropSfIfTo(sfId: string, icId: string): Promise<void> {
    const l = asSfLink((await this.kv.getRaw(linkKeys.sf(this.ws, sfId)))?.value);
    if (l?.icId === icId) await this.kv.delete(linkKeys.sf(this.ws, sfId));
  }

  /** A record's link no longer holds (or the record is gone): drop both directions. */
  async dropRecord(sfId: string): Promise<void> {
    const key = linkKeys.sf(this.ws, sfId);
    const l = asSfLink((await this.kv.getRaw(key))?.value);
    if (!l) return;
    await this.kv.modify(linkKeys.ic(this.ws, l.icId), (cur) => {
      const links = asIcLinks(cur);
      if (links[l.object] !== sfId) return undefined;
      delete links[l.object];
      return links;
    });
    await this.kv.delete(key);
  }

  /** The contact is gone: drop its links and the records' links to it. */
  async dropContacts(icIds: Iterable<string>): Promise<void> {
    const read = await this.icLinks(icIds);
    await Promise.all(
      [...read].map(async ([icId, r]) => {
        const sfIds = [r.links.Lead, r.links.Contact].filter((x): x is string => x !== undefined);
        await Promise.all(sfIds.map((sfId) => this.dropSfIfTo(sfId, icId)));
        if (r.revision > 0) await this.kv.delete(linkKeys.ic(this.ws, icId));
      }),
    );
  }
}
