// The per-pair diff: for each mapping of the record's object, convert the source value and compare
// it with the target's current value, both in comparable form. Only differences become writes, so
// a synced pair produces none and a write never echoes back as a change.
import type {
  IcContact,
  IcContactPatch,
  IcDataAttribute,
  SfDescribe,
  SfFieldDescribe,
  SfObject,
  SfRecord,
} from '../../connectors/types.ts';
import type { Mapping, MappingDirection } from '../../protocol/settings.ts';
import {
  icComparable,
  sameComparable,
  sfComparable,
  toIntercom,
  toSalesforce,
  type ConversionCause,
  type ConvertResult,
} from './convert.ts';

export interface Change {
  /** The target's name: the Salesforce field, or the Intercom attribute's full name. */
  attribute: string;
  from: unknown;
  to: unknown;
  direction: MappingDirection;
}

export type DiffFailureCause = ConversionCause | 'unknown_sf_field' | 'unknown_ic_attribute' | 'field_not_loaded';

export interface ConversionFailure {
  mappingId: string;
  sfField: string;
  icAttribute: string;
  direction: MappingDirection;
  cause: DiffFailureCause;
  message: string;
  /** The source value that could not be written. */
  value: unknown;
}

export interface DiffContext {
  describe: Record<SfObject, SfDescribe>;
  dataAttributes: IcDataAttribute[];
  tz: string;
}

export interface MatchedPair {
  sf: SfRecord & { object: SfObject };
  ic: IcContact;
}

export interface PairDiff {
  toSalesforce: { fields: Record<string, unknown>; changes: Change[] };
  toIntercom: { patch: IcContactPatch; changes: Change[] };
  /** Mappings of this object whose two sides already agree. */
  unchanged: number;
  failures: ConversionFailure[];
}

const CUSTOM_PREFIX = 'custom_attributes.';
/** Standard contact fields the Intercom API takes only as strings: they cannot be cleared. */
const IC_NOT_CLEARABLE = new Set(['email', 'external_id']);

const fieldIndexes = new WeakMap<SfDescribe, Map<string, SfFieldDescribe>>();
const attributeIndexes = new WeakMap<IcDataAttribute[], Map<string, IcDataAttribute>>();

function sfFieldOf(describe: SfDescribe | undefined, name: string): SfFieldDescribe | undefined {
  if (!describe) return undefined;
  let index = fieldIndexes.get(describe);
  if (!index) {
    index = new Map(describe.fields.map((f) => [f.name, f]));
    fieldIndexes.set(describe, index);
  }
  return index.get(name);
}

function icAttributeOf(attrs: IcDataAttribute[], fullName: string): IcDataAttribute | undefined {
  let index = attributeIndexes.get(attrs);
  if (!index) {
    index = new Map(attrs.map((a) => [a.full_name, a]));
    attributeIndexes.set(attrs, index);
  }
  return index.get(fullName);
}

/** What the contact holds for an attribute; an unset custom attribute is no value. */
export function readIcAttribute(contact: IcContact, fullName: string): unknown {
  if (fullName.startsWith(CUSTOM_PREFIX)) return contact.custom_attributes?.[fullName.slice(CUSTOM_PREFIX.length)] ?? null;
  return contact[fullName] ?? null;
}

function emptyDiff(): PairDiff {
  return { toSalesforce: { fields: {}, changes: [] }, toIntercom: { patch: {}, changes: [] }, unchanged: 0, failures: [] };
}

function setPatch(patch: IcContactPatch, fullName: string, value: unknown): void {
  if (fullName.startsWith(CUSTOM_PREFIX)) {
    patch.custom_attributes = { ...patch.custom_attributes, [fullName.slice(CUSTOM_PREFIX.length)]: value };
  } else {
    (patch as Record<string, unknown>)[fullName] = value;
  }
}

interface Resolved {
  sfField: SfFieldDescribe;
  icAttr: IcDataAttribute;
}

type Fail = (cause: DiffFailureCause, message: string, value: unknown) => void;

function resolve(m: Mapping, pair: MatchedPair, ctx: DiffContext, failed: Fail): Resolved | null {
  const sfField = sfFieldOf(ctx.describe[m.sfObject], m.sfField);
  const icAttr = icAttributeOf(ctx.dataAttributes, m.icAttribute);
  if (!sfField) failed('unknown_sf_field', `${m.sfObject}.${m.sfField} is not in the Salesforce describe`, null);
  else if (!icAttr) failed('unknown_ic_attribute', `${m.icAttribute} is not an Intercom contact attribute`, null);
  else if (!Object.hasOwn(pair.sf, m.sfField)) {
    failed('field_not_loaded', `record ${pair.sf.Id} was read without ${m.sfObject}.${m.sfField}`, null);
  } else return { sfField, icAttr };
  return null;
}

function diffOne(m: Mapping, pair: MatchedPair, ctx: DiffContext, out: PairDiff): void {
  const failed: Fail = (cause, message, value) =>
    out.failures.push({
      mappingId: m.id,
      sfField: m.sfField,
      icAttribute: m.icAttribute,
      direction: m.direction,
      cause,
      message,
      value,
    });
  const r = resolve(m, pair, ctx, failed);
  if (!r) return;
  const sfValue = pair.sf[m.sfField];
  const icValue = readIcAttribute(pair.ic, m.icAttribute);
  const toSf = m.direction === 'intercom_to_salesforce';
  const source = toSf ? icValue : sfValue;
  const current = toSf ? sfValue : icValue;
  const converted: ConvertResult = toSf
    ? toSalesforce(icValue, r.icAttr, r.sfField, ctx.tz)
    : toIntercom(sfValue, r.sfField, r.icAttr, ctx.tz);
  if (!converted.ok) return failed(converted.cause, converted.message, source);
  const same = toSf
    ? sameComparable(sfComparable(converted.value, r.sfField), sfComparable(current, r.sfField))
    : sameComparable(icComparable(converted.value, r.icAttr), icComparable(current, r.icAttr));
  if (same) {
    out.unchanged += 1;
  } else if (!toSf && converted.value === null && IC_NOT_CLEARABLE.has(m.icAttribute)) {
    failed('required_value_missing', `Intercom cannot clear ${m.icAttribute}, and ${m.sfObject}.${m.sfField} is empty`, source);
  } else if (toSf) {
    out.toSalesforce.fields[m.sfField] = converted.value;
    out.toSalesforce.changes.push({ attribute: m.sfField, from: current ?? null, to: converted.value, direction: m.direction });
  } else {
    setPatch(out.toIntercom.patch, m.icAttribute, converted.value);
    out.toIntercom.changes.push({ attribute: m.icAttribute, from: current, to: converted.value, direction: m.direction });
  }
}

/** What to write to each side of a matched pair so the mapped attributes agree. */
export function diffPair(pair: MatchedPair, mappings: readonly Mapping[], ctx: DiffContext): PairDiff {
  const out = emptyDiff();
  for (const m of mappings) {
    if (m.sfObject === pair.sf.object) diffOne(m, pair, ctx, out);
  }
  return out;
}

/** True when a diff asks for no write on either side. */
export function isEmptyDiff(d: PairDiff): boolean {
  return d.toSalesforce.changes.length === 0 && d.toIntercom.changes.length === 0;
}
