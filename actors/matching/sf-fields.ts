// Which Salesforce fields matching reads itself (contact changes, resyncs): enough for matching
// and for the mapping actor's diff. Pure.
import type { SfObject } from '../../connectors/index.ts';
import type { WorkspaceSettings } from '../../protocol/index.ts';
import type { MatchKey } from './entry.ts';

/** Id, Email, SystemModstamp, IsConverted of a Lead (a converted one is skipped), every mapped
 * field of the object and the match-key field. */
export function sfFieldsFor(object: SfObject, settings: WorkspaceSettings, key: MatchKey): string[] {
  const fields = [
    'Id',
    'Email',
    'SystemModstamp',
    ...(object === 'Lead' ? ['IsConverted'] : []),
    ...settings.mappings.filter((m) => m.sfObject === object).map((m) => m.sfField),
  ];
  if (key.kind === 'attribute') fields.push(key.sfField);
  const seen = new Set<string>();
  return fields.filter((f) => !seen.has(f.toLowerCase()) && seen.add(f.toLowerCase()));
}
