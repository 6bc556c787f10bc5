// The wire shape of a contact (schema `contact` of the 2.14 description): the stored fields plus
// the many fields the sandbox does not model, with the values a fresh contact has. The workspace
// id is always the sandbox's own: every contact of a workspace reports the same one.
import type { StoredContact } from './wire.ts';

const NULL_FIELDS = [
  'last_replied_at',
  'last_contacted_at',
  'last_email_opened_at',
  'last_email_clicked_at',
  'language_override',
  'browser',
  'browser_version',
  'browser_language',
  'os',
  'android_app_name',
  'android_app_version',
  'android_device',
  'android_os_version',
  'android_sdk_version',
  'android_last_seen_at',
  'ios_app_name',
  'ios_app_version',
  'ios_device',
  'ios_os_version',
  'ios_sdk_version',
  'ios_last_seen_at',
  'utm_campaign',
  'utm_content',
  'utm_medium',
  'utm_source',
  'utm_term',
  'referrer',
  'enabled_push_messaging',
] as const;

function emptyList(url: string): Record<string, unknown> {
  return { type: 'list', data: [], url, total_count: 0, has_more: false };
}

export function renderContact(c: StoredContact, workspaceId: string): Record<string, unknown> {
  const base = `/contacts/${c.id}`;
  const out: Record<string, unknown> = {
    type: 'contact',
    id: c.id,
    workspace_id: workspaceId,
    external_id: c.external_id ?? null,
    role: c.role,
    email: c.email ?? '',
    email_domain: typeof c.email === 'string' ? (c.email.split('@')[1] ?? '') : '',
    phone: c.phone ?? null,
    name: c.name ?? null,
    avatar: typeof c.avatar === 'string' ? { type: 'avatar', image_url: c.avatar } : null,
    owner_id: c.owner_id ?? null,
    social_profiles: { type: 'list', data: [] },
    has_hard_bounced: false,
    marked_email_as_spam: false,
    unsubscribed_from_emails: c.unsubscribed_from_emails === true,
    created_at: c.created_at,
    updated_at: c.updated_at,
    signed_up_at: c.signed_up_at ?? null,
    last_seen_at: c.last_seen_at ?? null,
  };
  for (const f of NULL_FIELDS) out[f] = null;
  const loc = c.location;
  out.location = {
    type: 'location',
    country: loc?.country ?? null,
    region: loc?.region ?? null,
    city: loc?.city ?? null,
    country_code: null,
    continent_code: null,
  };
  out.custom_attributes = { ...c.custom_attributes };
  const tags = c.tag_ids ?? [];
  out.tags = { ...emptyList(`${base}/tags`), data: tags.map((id) => ({ type: 'tag', id, url: `/tags/${id}` })), total_count: tags.length };
  out.notes = emptyList(`${base}/notes`);
  out.companies = emptyList(`${base}/companies`);
  out.opted_out_subscription_types = emptyList(`${base}/subscriptions`);
  out.opted_in_subscription_types = emptyList(`${base}/subscriptions`);
  return out;
}
