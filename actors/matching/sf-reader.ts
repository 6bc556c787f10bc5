// Salesforce reads of the event and resync paths: records by Id (after a link) and by key value
// (email, or the match-key field), all under one token lease of the item's class.
import type { SfObject, SfRecord } from '../../connectors/index.ts';
import type { HandlerContext } from '../../runtime/index.ts';
import { readWithoutRefused, refusedFor, reportRefused } from '../refused-fields.ts';
import type { ItemSettings } from './item-settings.ts';
import { sfFieldsFor } from './sf-fields.ts';

export type PerObject<T> = Record<SfObject, T>;

export interface SfWanted {
  ids: PerObject<string[]>;
  /** Values of the key field: emails (normalised), or match-key values. */
  values: PerObject<string[]>;
  /** Emails (normalised) to look up whatever the key is. */
  emails: PerObject<string[]>;
}

/** Ids per query call in the connector, and key values per call (emails make long URLs). */
const IDS_PER_CALL = 200;
const VALUES_PER_CALL = 100;
const OBJECTS: readonly SfObject[] = ['Contact', 'Lead'];

export function emptyWanted(): SfWanted {
  return { ids: { Lead: [], Contact: [] }, values: { Lead: [], Contact: [] }, emails: { Lead: [], Contact: [] } };
}

/** Field -> values to look up, per object: emails join the key values when the key is email. */
function lookups(w: SfWanted, o: SfObject, item: ItemSettings): Map<string, string[]> {
  const out = new Map<string, string[]>();
  const add = (field: string, values: string[]) => {
    if (values.length) out.set(field, [...new Set([...(out.get(field) ?? []), ...values])]);
  };
  add(item.key.kind === 'email' ? 'Email' : item.key.sfField, w.values[o]);
  add('Email', w.emails[o]);
  return out;
}

/** API calls the reads will make (at least one, so a lease is never asked for zero). */
export function callsFor(w: SfWanted, item: ItemSettings): number {
  let n = 0;
  for (const o of OBJECTS) {
    n += Math.ceil(new Set(w.ids[o]).size / IDS_PER_CALL);
    for (const values of lookups(w, o, item).values()) n += Math.ceil(values.length / VALUES_PER_CALL);
  }
  return Math.max(1, n);
}

/** The wanted records, de-duplicated by Id; Ids that no longer exist are simply absent. */
export async function readSalesforce(ctx: HandlerContext, item: ItemSettings, w: SfWanted): Promise<PerObject<SfRecord[]>> {
  const wanted = OBJECTS.some((o) => w.ids[o].length > 0 || lookups(w, o, item).size > 0);
  if (!wanted) return { Contact: [], Lead: [] };
  const sf = ctx.deps.salesforce(ctx.ws);
  // A mapped field Salesforce no longer has is left out (and reported once).
  const without = (o: SfObject, fields: string[], run: (f: string[]) => Promise<SfRecord[]>) =>
    readWithoutRefused(o, fields, run, refusedFor(sf), (r) => reportRefused(ctx, r));
  const read = (o: SfObject): Promise<SfRecord[][]> => {
    const fields = sfFieldsFor(o, item.settings, item.key);
    const ids = [...new Set(w.ids[o])];
    return Promise.all([
      ids.length ? without(o, fields, (f) => sf.readByIds(o, f, ids)) : [],
      ...[...lookups(w, o, item)].map(([field, values]) => without(o, fields, (f) => sf.readByField(o, f, field, values))),
    ]);
  };
  const [contacts, leads] = await ctx.withTokens(ctx.cls, callsFor(w, item), () => Promise.all(OBJECTS.map(read)));
  const unique = (lists: SfRecord[][]) => [...new Map(lists.flat().map((r) => [r.Id, r])).values()];
  return { Contact: unique(contacts), Lead: unique(leads) };
}
