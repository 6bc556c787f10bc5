// Salesforce reads of the event and resync paths: records by Id (after a link) and by key value
// (email, or the match-key field), in composite calls of five queries, all under one token lease
// of the item's class.
import { type SfLookup, type SfObject, type SfRecord, lookupCalls } from '../../connectors/index.ts';
import type { HandlerContext } from '../../runtime/index.ts';
import type { Uses } from '../services.ts';
import { readAllWithoutRefused, refusedFor, reportRefused } from '../refused-fields.ts';
import { type ItemSettings, sfFieldsFor } from '../domain/index.ts';

type Ctx = HandlerContext<Uses<'salesforce' | 'now'>>;

export type PerObject<T> = Record<SfObject, T>;

export interface SfWanted {
  ids: PerObject<string[]>;
  /** Values of the key field: emails (normalised), or match-key values. */
  values: PerObject<string[]>;
  /** Emails (normalised) to look up whatever the key is. */
  emails: PerObject<string[]>;
}

const OBJECTS: readonly SfObject[] = ['Contact', 'Lead'];

export function emptyWanted(): SfWanted {
  return { ids: { Lead: [], Contact: [] }, values: { Lead: [], Contact: [] }, emails: { Lead: [], Contact: [] } };
}

/** Field -> values to look up, per object: emails join the key values when the key is email. */
function lookupsByField(w: SfWanted, o: SfObject, item: ItemSettings): Map<string, string[]> {
  const out = new Map<string, string[]>();
  const add = (field: string, values: string[]) => {
    if (values.length) out.set(field, [...new Set([...(out.get(field) ?? []), ...values])]);
  };
  add(item.key.kind === 'email' ? 'Email' : item.key.sfField, w.values[o]);
  add('Email', w.emails[o]);
  return out;
}

/** Every look-up of what is wanted, with each object's fields. */
function lookupsOf(w: SfWanted, item: ItemSettings, fields: Record<string, string[]>): SfLookup[] {
  const out: SfLookup[] = [];
  for (const o of OBJECTS) {
    if (w.ids[o].length) out.push({ object: o, fields: fields[o], ids: w.ids[o] });
    for (const [field, values] of lookupsByField(w, o, item)) out.push({ object: o, fields: fields[o], field, values });
  }
  return out;
}

/** API calls the reads will make: their queries, five to a composite call (at least one, so a
 * lease is never asked for zero). */
export function callsFor(w: SfWanted, item: ItemSettings): number {
  return Math.max(1, lookupCalls(lookupsOf(w, item, { Contact: [], Lead: [] })));
}

/** The wanted records, de-duplicated by Id; Ids that no longer exist are simply absent. Every
 * look-up of a batch goes in composite calls: a changed contact's linked record and its email's
 * records, of both objects, in one call. */
export async function readSalesforce(ctx: Ctx, item: ItemSettings, w: SfWanted): Promise<PerObject<SfRecord[]>> {
  const wanted = OBJECTS.some((o) => w.ids[o].length > 0 || lookupsByField(w, o, item).size > 0);
  if (!wanted) return { Contact: [], Lead: [] };
  const sf = ctx.deps.salesforce(ctx.ws);
  const fields = { Contact: sfFieldsFor('Contact', item.settings, item.key), Lead: sfFieldsFor('Lead', item.settings, item.key) };
  // A mapped field Salesforce no longer has is left out (and reported once).
  const read = await ctx.withTokens(ctx.cls, callsFor(w, item), () =>
    readAllWithoutRefused(
      fields,
      (kept) => {
        const lookups = lookupsOf(w, item, kept);
        return sf.readTogether(lookups).then((found) => lookups.map((l, i) => ({ object: l.object, records: found[i] })));
      },
      refusedFor(sf),
      (r) => reportRefused(ctx, r),
    ),
  );
  const unique = (o: SfObject) => [...new Map(read.filter((r) => r.object === o).flatMap((r) => r.records.map((x) => [x.Id, x]))).values()];
  return { Contact: unique('Contact'), Lead: unique('Lead') };
}
