// Validation of a PUT /contacts/{id} body and its application to a stored contact. Pure: the
// store decides about uniqueness, this file about shapes and types.
import type { DataAttribute, StoredContact } from './wire.ts';
import { checkCustomAttributes } from './data-attributes.ts';
import type { CustomAttributesMode } from './types.ts';

export interface PatchProblem {
  status: number;
  code: string;
  message: string;
  field?: string;
}

/** Fields PUT /contacts/{id} changes; others in the body are ignored, as by the service. */
export type ValidPatch = Partial<
  Pick<
    StoredContact,
    | 'role'
    | 'external_id'
    | 'email'
    | 'phone'
    | 'name'
    | 'avatar'
    | 'signed_up_at'
    | 'last_seen_at'
    | 'owner_id'
    | 'unsubscribed_from_emails'
    | 'custom_attributes'
  >
>;

type Check = (v: unknown) => boolean;
const strOrNull: Check = (v) => v === null || typeof v === 'string';
const intOrNull: Check = (v) => v === null || (typeof v === 'number' && Number.isInteger(v));
const tsOrNull: Check = (v) => v === null || (typeof v === 'number' && Number.isInteger(v) && v >= 0);

const FIELD_CHECKS: Record<string, [Check, string]> = {
  role: [(v) => v === 'user' || v === 'lead', 'user or lead'],
  external_id: [strOrNull, 'a string'],
  email: [strOrNull, 'a string'],
  phone: [strOrNull, 'a string or null'],
  name: [strOrNull, 'a string or null'],
  avatar: [strOrNull, 'a URL string or null'],
  signed_up_at: [tsOrNull, 'unix seconds or null'],
  last_seen_at: [tsOrNull, 'unix seconds or null'],
  owner_id: [intOrNull, 'an integer or null'],
  unsubscribed_from_emails: [(v) => typeof v === 'boolean', 'a boolean'],
};

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

export function validatePatch(
  body: unknown,
  attributes: readonly DataAttribute[],
): { ok: true; patch: ValidPatch } | { ok: false; problem: PatchProblem } {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    return fail('parameter_invalid', 'the request body must be a JSON object');
  }
  const input = body as Record<string, unknown>;
  const patch: Record<string, unknown> = {};
  for (const [field, [check, expected]] of Object.entries(FIELD_CHECKS)) {
    if (!(field in input)) continue;
    const value = input[field];
    if (!check(value)) return fail('parameter_invalid', `${field} must be ${expected}`, field);
    patch[field] = value;
  }
  if (typeof patch.email === 'string' && patch.email !== '' && !EMAIL.test(patch.email)) {
    return fail('parameter_invalid', `email ${JSON.stringify(patch.email)} is not a valid email address`, 'email');
  }
  if ('custom_attributes' in input && input.custom_attributes !== null) {
    const ca = input.custom_attributes;
    if (typeof ca !== 'object' || Array.isArray(ca))
      return fail('parameter_invalid', 'custom_attributes must be an object', 'custom_attributes');
    const checked = checkCustomAttributes(ca as Record<string, unknown>, attributes);
    if (checked.problem) return fail(checked.problem.code, checked.problem.message, `custom_attributes.${checked.problem.name}`);
    patch.custom_attributes = checked.accepted;
  }
  return { ok: true, patch: patch as ValidPatch };
}

function fail(code: string, message: string, field?: string): { ok: false; problem: PatchProblem } {
  return { ok: false, problem: { status: 400, code, message, ...(field ? { field } : {}) } };
}

/** The contact after the patch, with updated_at set to `nowSeconds`. */
export function applyPatch(contact: StoredContact, patch: ValidPatch, mode: CustomAttributesMode, nowSeconds: number): StoredContact {
  const { custom_attributes: ca, ...rest } = patch;
  const next: StoredContact = { ...contact, ...rest, updated_at: nowSeconds };
  if (ca !== undefined) {
    next.custom_attributes = mode === 'replace' ? { ...ca } : { ...contact.custom_attributes, ...ca };
  }
  return next;
}

/** The normalised key under which an email must be unique. */
export function emailKey(email: string | null | undefined): string | null {
  return typeof email === 'string' && email !== '' ? email.trim().toLowerCase() : null;
}
