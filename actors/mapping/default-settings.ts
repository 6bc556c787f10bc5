// The demo's default settings: the mapping pairs of the shared sandbox data model, one direction
// each, matching by email and the budget of a Developer Edition org.
import type { Mapping, MappingDirection, WorkspaceSettings } from '../../protocol/settings.ts';

type Pair = readonly [sfObject: 'Lead' | 'Contact', sfField: string, icAttribute: string];

const TO_INTERCOM: readonly Pair[] = [
  ['Lead', 'Company', 'custom_attributes.company'],
  ['Lead', 'Title', 'custom_attributes.job_title'],
  ['Lead', 'City', 'custom_attributes.city'],
  ['Lead', 'NumberOfEmployees', 'custom_attributes.employees'],
  ['Contact', 'Title', 'custom_attributes.job_title'],
  ['Contact', 'MailingCity', 'custom_attributes.city'],
  ['Contact', 'Department', 'custom_attributes.department'],
  ['Lead', 'LeadSource', 'custom_attributes.lead_source'],
  ['Contact', 'LeadSource', 'custom_attributes.lead_source'],
];

const TO_SALESFORCE: readonly Pair[] = [
  ['Lead', 'Phone', 'phone'],
  ['Contact', 'Phone', 'phone'],
  ['Lead', 'Plan__c', 'custom_attributes.plan'],
  ['Contact', 'Plan__c', 'custom_attributes.plan'],
  ['Lead', 'Score__c', 'custom_attributes.score'],
  ['Contact', 'Score__c', 'custom_attributes.score'],
  ['Lead', 'Trial_End__c', 'custom_attributes.trial_end'],
  ['Contact', 'Trial_End__c', 'custom_attributes.trial_end'],
  ['Lead', 'Last_Login__c', 'custom_attributes.last_login'],
  ['Contact', 'Last_Login__c', 'custom_attributes.last_login'],
  ['Lead', 'HasOptedOutOfEmail', 'custom_attributes.opted_out'],
  ['Contact', 'HasOptedOutOfEmail', 'custom_attributes.opted_out'],
];

/** "lead-title-to-job_title", "contact-phone-from-phone": readable and unique per pair and direction. */
function mappingId(direction: MappingDirection, [sfObject, sfField, icAttribute]: Pair): string {
  const attr = icAttribute.replace('custom_attributes.', '');
  const verb = direction === 'salesforce_to_intercom' ? 'to' : 'from';
  return `${sfObject}-${sfField}-${verb}-${attr}`.toLowerCase();
}

function mappingsOf(direction: MappingDirection, pairs: readonly Pair[]): Mapping[] {
  return pairs.map((p) => ({ id: mappingId(direction, p), sfObject: p[0], sfField: p[1], icAttribute: p[2], direction }));
}

export const DEFAULT_MAPPINGS: readonly Mapping[] = [
  ...mappingsOf('salesforce_to_intercom', TO_INTERCOM),
  ...mappingsOf('intercom_to_salesforce', TO_SALESFORCE),
];

/** Fresh default settings; `overrides` replace whole top-level keys. */
export function defaultSettings(overrides: Partial<WorkspaceSettings> = {}): WorkspaceSettings {
  return {
    mappings: DEFAULT_MAPPINGS.map((m) => ({ ...m })),
    matching: { key: 'email', duplicatePolicy: 'error' },
    sfApiLimit: 15_000,
    pollIntervalSeconds: 300,
    installerEmail: 'installer@example.com',
    timeZone: 'UTC',
    intercomWebhookSecretRef: 'INTERCOM_WEBHOOK_SECRET',
    ...overrides,
  };
}
