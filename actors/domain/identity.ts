// The identity key a workspace matches people on: a normalised email, or a pair of attributes
// (settings.matching.key). Matching joins on it and polling reads its Salesforce field. Pure.
import type { Matching } from '../../protocol/index.ts';

/** How a Salesforce record finds its Intercom contact: by email, or by a pair of attributes. */
export type MatchKey = { kind: 'email' } | { kind: 'attribute'; icAttribute: string; sfField: string };

export function matchKeyOf(key: Matching['key'] | undefined): MatchKey {
  return !key || key === 'email' ? { kind: 'email' } : { kind: 'attribute', icAttribute: key.icAttribute, sfField: key.sfField };
}
