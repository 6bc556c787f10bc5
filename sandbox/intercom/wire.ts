// The Intercom shapes the sandbox keeps and serves, written from the official 2.14 description
// (test/fixtures/reference/intercom/api.intercom.io-2.14.prism.yaml: schemas `contact`,
// `contact_location`, `contact_deleted`, `data_attribute`, `update_contact_request`,
// `merge_contacts_request`). They are the sandbox's own on purpose: the connector has its own
// reading of the same description, so a field one side gets wrong shows up as a contract test
// failure instead of being wrong on both sides at once.

export type ContactRole = 'user' | 'lead';

/** `contact_location`: filled by the Messenger from the browser, never written through the API. */
export type ContactLocation = {
  country: string | null;
  region: string | null;
  city: string | null;
};

/** A contact as the sandbox stores it: the fields of schema `contact` it models. The rest of the
 * schema (browser, devices, utm_*, notes...) is rendered with the values a fresh contact has. */
export type StoredContact = {
  type: 'contact';
  /** 24 lower-case hex characters, like the service's ids. */
  id: string;
  external_id: string | null;
  role: ContactRole;
  email: string | null;
  phone: string | null;
  name: string | null;
  /** The image URL; rendered as `{type: 'avatar', image_url}`. */
  avatar?: string | null;
  owner_id?: number | null;
  unsubscribed_from_emails?: boolean;
  custom_attributes: Record<string, unknown>;
  /** Unix seconds. */
  created_at: number;
  updated_at: number;
  signed_up_at?: number | null;
  last_seen_at?: number | null;
  location?: ContactLocation;
  /** Ids of the tags on the contact (searchable as `tag_id`). */
  tag_ids?: string[];
  /** Accepted in seed files for convenience and ignored: the workspace id is the sandbox's own. */
  workspace_id?: string;
};

/** `data_attribute.data_type`. */
export type AttributeDataType = 'string' | 'integer' | 'float' | 'boolean' | 'date' | 'datetime';

/** A contact data attribute (`GET /data_attributes?model=contact`). */
export type DataAttribute = {
  name: string;
  /** `custom_attributes.<name>` for a custom attribute, the name itself for a standard one. */
  full_name: string;
  label: string;
  data_type: AttributeDataType;
  custom: boolean;
  archived: boolean;
  api_writable: boolean;
  /** Values offered in the UI for a list attribute; the API does not restrict to them. */
  options?: string[];
};
