// Settings checked against the live Salesforce describe and Intercom data attributes. Every
// problem is collected, shape problems included, so a person fixes them all in one go instead of
// one per save.
import type { IcDataAttribute, SfDescribe, SfFieldDescribe, SfObject } from '../../connectors/types.ts';
import { MappingSchema, MatchingSchema, WorkspaceSettingsSchema, type Mapping, type WorkspaceSettings } from '../../protocol/settings.ts';
import { pairKind } from './type-pairs.ts';

export type ProblemCode =
  | 'invalid_shape'
  | 'unknown_sf_object'
  | 'unknown_sf_field'
  | 'sf_field_not_writable'
  | 'unknown_ic_attribute'
  | 'ic_attribute_not_writable'
  | 'incompatible_types'
  | 'unknown_picklist_value'
  | 'duplicate_mapping_id'
  | 'duplicate_target'
  | 'both_directions';

export interface Problem {
  /** Dotted path into the settings, e.g. "mappings.2.sfField"; "" for the whole object. */
  path: string;
  code: ProblemCode;
  message: string;
}

export interface ValidationContext {
  describe: Record<SfObject, SfDescribe>;
  dataAttributes: IcDataAttribute[];
}

export type ValidationResult = { ok: true; settings: WorkspaceSettings } | { ok: false; problems: Problem[] };

/** Standard contact fields PUT /contacts/{id} can set. `role` is left out on purpose: it decides
 * whether a contact pairs with a Lead or a Contact, so a mapping must not flip it. */
const WRITABLE_STANDARD = new Set([
  'external_id',
  'email',
  'phone',
  'name',
  'signed_up_at',
  'last_seen_at',
  'owner_id',
  'unsubscribed_from_emails',
]);

const TYPE_TABLE =
  'id/string/email/phone/textarea/picklist/url with string; boolean with boolean; ' +
  'int/double/currency/percent with integer/float; date/datetime with date';

interface Indexed {
  index: number;
  mapping: Mapping;
}

function pathOf(parts: readonly PropertyKey[]): string {
  return parts.map(String).join('.');
}

function shapeProblems(issues: ReadonlyArray<{ path: readonly PropertyKey[]; message: string; code: string; keys?: string[] }>): Problem[] {
  return issues.map((issue) => {
    const path = pathOf(issue.path);
    const where = path === '' ? 'settings' : path;
    const message =
      issue.code === 'unrecognized_keys' && issue.keys
        ? `${where} has unknown key(s) ${issue.keys.map((k) => `"${k}"`).join(', ')}`
        : `${where}: ${issue.message}`;
    return { path, code: 'invalid_shape' as const, message };
  });
}

/** Mappings that have a valid shape, even when other parts of the settings do not. */
function wellFormedMappings(input: unknown): Indexed[] {
  const list = (input as { mappings?: unknown } | null)?.mappings;
  if (!Array.isArray(list)) return [];
  const out: Indexed[] = [];
  list.forEach((raw, index) => {
    const r = MappingSchema.safeParse(raw);
    if (r.success) out.push({ index, mapping: r.data });
  });
  return out;
}

function findField(describe: SfDescribe | undefined, name: string): SfFieldDescribe | undefined {
  return describe?.fields.find((f) => f.name === name);
}

function findAttribute(attrs: IcDataAttribute[], fullName: string): IcDataAttribute | undefined {
  return attrs.find((a) => a.full_name === fullName);
}

function unknownAttributeMessage(fullName: string, attrs: IcDataAttribute[]): string {
  const near = attrs.find((a) => a.name === fullName || a.full_name === `custom_attributes.${fullName}`);
  const hint = near && near.full_name !== fullName ? ` (did you mean "${near.full_name}"?)` : '';
  return `Intercom has no contact attribute "${fullName}"${hint}`;
}

function icWritableProblem(attr: IcDataAttribute): string | null {
  if (attr.archived) return `Intercom attribute "${attr.full_name}" is archived and cannot be written`;
  if (!attr.api_writable) return `Intercom attribute "${attr.full_name}" is not writable through the API`;
  if (!attr.custom && !WRITABLE_STANDARD.has(attr.name)) return `Intercom contact field "${attr.name}" is not written by mappings`;
  return null;
}

function checkMapping({ index, mapping: m }: Indexed, ctx: ValidationContext): Problem[] {
  const at = (key: string) => `mappings.${index}.${key}`;
  const problems: Problem[] = [];
  const describe = ctx.describe[m.sfObject];
  if (!describe) {
    problems.push({ path: at('sfObject'), code: 'unknown_sf_object', message: `no Salesforce describe of ${m.sfObject} is available` });
  }
  const field = findField(describe, m.sfField);
  if (describe && !field) {
    problems.push({ path: at('sfField'), code: 'unknown_sf_field', message: `Salesforce ${m.sfObject} has no field "${m.sfField}"` });
  }
  const attr = findAttribute(ctx.dataAttributes, m.icAttribute);
  if (!attr) {
    problems.push({
      path: at('icAttribute'),
      code: 'unknown_ic_attribute',
      message: unknownAttributeMessage(m.icAttribute, ctx.dataAttributes),
    });
  }
  if (field && m.direction === 'intercom_to_salesforce' && !field.updateable) {
    problems.push({
      path: at('sfField'),
      code: 'sf_field_not_writable',
      message: `Salesforce field ${m.sfObject}.${m.sfField} is not updateable`,
    });
  }
  const notWritable = attr && m.direction === 'salesforce_to_intercom' ? icWritableProblem(attr) : null;
  if (notWritable) problems.push({ path: at('icAttribute'), code: 'ic_attribute_not_writable', message: notWritable });
  if (field && attr) problems.push(...typeProblems(m, field, attr, at));
  return problems;
}

function typeProblems(m: Mapping, field: SfFieldDescribe, attr: IcDataAttribute, at: (key: string) => string): Problem[] {
  if (!pairKind(field.type, attr.data_type)) {
    return [
      {
        path: at('icAttribute'),
        code: 'incompatible_types',
        message: `Salesforce ${field.type} field ${m.sfObject}.${field.name} cannot map to Intercom ${attr.data_type} attribute "${attr.full_name}" (compatible: ${TYPE_TABLE})`,
      },
    ];
  }
  if (m.direction !== 'intercom_to_salesforce' || field.type !== 'picklist' || !attr.options?.length) return [];
  const values = field.picklistValues.filter((p) => p.active).map((p) => p.value);
  return attr.options
    .filter((o) => !values.includes(o))
    .map((o) => ({
      path: at('icAttribute'),
      code: 'unknown_picklist_value' as const,
      message: `Intercom option "${o}" of "${attr.full_name}" is not an active value of picklist ${m.sfObject}.${field.name} (${values.join(', ')})`,
    }));
}

/** Ids used twice, two mappings writing one target, and one pair mapped both ways. */
function crossProblems(list: Indexed[]): Problem[] {
  const problems: Problem[] = [];
  const ids = new Map<string, number>();
  const targets = new Map<string, Indexed>();
  const pairs = new Map<string, Indexed>();
  for (const item of list) {
    const { index, mapping: m } = item;
    const firstId = ids.get(m.id);
    if (firstId !== undefined) {
      problems.push({
        path: `mappings.${index}.id`,
        code: 'duplicate_mapping_id',
        message: `mapping id "${m.id}" is already used by mappings.${firstId}`,
      });
    } else ids.set(m.id, index);
    const target =
      m.direction === 'intercom_to_salesforce'
        ? `Salesforce field ${m.sfObject}.${m.sfField}`
        : `Intercom attribute "${m.icAttribute}" of contacts paired with a ${m.sfObject}`;
    const first = targets.get(target);
    if (first) {
      problems.push({
        path: `mappings.${index}`,
        code: 'duplicate_target',
        message: `${target} is already written by mapping "${first.mapping.id}"`,
      });
    } else targets.set(target, item);
    const pairKey = `${m.sfObject}.${m.sfField}|${m.icAttribute}`;
    const other = pairs.get(pairKey);
    if (other && other.mapping.direction !== m.direction) {
      problems.push({
        path: `mappings.${index}.direction`,
        code: 'both_directions',
        message: `${m.sfObject}.${m.sfField} and "${m.icAttribute}" are mapped both ways (also by mapping "${other.mapping.id}"); a mapping has one direction`,
      });
    } else if (!other) pairs.set(pairKey, item);
  }
  return problems;
}

function matchingKeyProblems(input: unknown, ctx: ValidationContext): Problem[] {
  const parsed = MatchingSchema.safeParse((input as { matching?: unknown } | null)?.matching);
  if (!parsed.success || parsed.data.key === 'email') return [];
  const { icAttribute, sfField } = parsed.data.key;
  const problems: Problem[] = [];
  const attr = findAttribute(ctx.dataAttributes, icAttribute);
  if (!attr)
    problems.push({
      path: 'matching.key.icAttribute',
      code: 'unknown_ic_attribute',
      message: unknownAttributeMessage(icAttribute, ctx.dataAttributes),
    });
  else if (attr.data_type !== 'string') {
    problems.push({
      path: 'matching.key.icAttribute',
      code: 'incompatible_types',
      message: `matching key "${icAttribute}" must be an Intercom string attribute, not ${attr.data_type}`,
    });
  }
  for (const object of ['Lead', 'Contact'] as const) {
    const field = findField(ctx.describe[object], sfField);
    if (!field) {
      problems.push({
        path: 'matching.key.sfField',
        code: 'unknown_sf_field',
        message: `Salesforce ${object} has no field "${sfField}" to match on`,
      });
    } else if (!['id', 'reference', 'string', 'email', 'phone', 'url'].includes(field.type)) {
      problems.push({
        path: 'matching.key.sfField',
        code: 'incompatible_types',
        message: `matching key ${object}.${sfField} is a ${field.type} field; it must hold text or an id`,
      });
    }
  }
  return problems;
}

/** Checks settings in shape and against the services' describe; lists every problem found. */
export function validateSettings(input: unknown, ctx: ValidationContext): ValidationResult {
  const parsed = WorkspaceSettingsSchema.safeParse(input);
  const mappings = parsed.success ? parsed.data.mappings.map((mapping, index) => ({ index, mapping })) : wellFormedMappings(input);
  const problems = [
    ...(parsed.success ? [] : shapeProblems(parsed.error.issues)),
    ...mappings.flatMap((m) => checkMapping(m, ctx)),
    ...crossProblems(mappings),
    ...matchingKeyProblems(input, ctx),
  ];
  if (parsed.success && problems.length === 0) return { ok: true, settings: parsed.data };
  return { ok: false, problems };
}

/** Shape only: for a save whose mappings and matching equal the stored, already checked ones
 * (raising the API limit must work even when the budget allows no describe call). */
export function validateShape(input: unknown): ValidationResult {
  const parsed = WorkspaceSettingsSchema.safeParse(input);
  return parsed.success ? { ok: true, settings: parsed.data } : { ok: false, problems: shapeProblems(parsed.error.issues) };
}
