// Which Salesforce field types can be mapped to which Intercom data types. One table, used both
// to refuse settings and to pick the conversion.
import type { IcDataType, SfFieldType } from '../../connectors/types.ts';

/** The kind of value a compatible pair of fields carries. */
export type PairKind = 'text' | 'boolean' | 'number' | 'date';

// `id` reads as text so a record's Id can fill an Intercom attribute used as the matching key
// (external_id); Ids are never updateable, so it only ever flows to Intercom.
const SF_KIND: Record<string, PairKind> = {
  id: 'text',
  string: 'text',
  email: 'text',
  phone: 'text',
  textarea: 'text',
  picklist: 'text',
  url: 'text',
  boolean: 'boolean',
  int: 'number',
  double: 'number',
  currency: 'number',
  percent: 'number',
  date: 'date',
  datetime: 'date',
};

const IC_KIND: Record<IcDataType, PairKind> = {
  string: 'text',
  boolean: 'boolean',
  integer: 'number',
  float: 'number',
  date: 'date',
  datetime: 'date',
};

export function sfKind(type: SfFieldType): PairKind | null {
  return Object.hasOwn(SF_KIND, type) ? SF_KIND[type] : null;
}

export function icKind(type: IcDataType): PairKind | null {
  return Object.hasOwn(IC_KIND, type) ? IC_KIND[type] : null;
}

/** The kind both sides share, or null when the pair cannot be mapped. */
export function pairKind(sfType: SfFieldType, icType: IcDataType): PairKind | null {
  const a = sfKind(sfType);
  return a !== null && a === icKind(icType) ? a : null;
}

/** Salesforce types a mapping may use at all (reference, multipicklist... may not). */
export const MAPPABLE_SF_TYPES: readonly string[] = Object.keys(SF_KIND);
export const MAPPABLE_IC_TYPES: readonly IcDataType[] = Object.keys(IC_KIND) as IcDataType[];
