// What `peoplesync resync` makes of the events it heard for its request: a side is failed only by
// an error about its writes, not by the sync error of an attribute that could not be mapped.
import { describe, expect, it } from 'vitest';
import type { BodyOf, ResyncMapped, SyncErrorRecorded } from '../../protocol/index.ts';
import { outcomeOf } from '../../cli/commands/resync.ts';
import { FIXTURES } from '../helpers/fixtures.ts';

const SF = '003000000000001AAA';
const mapped: BodyOf<typeof ResyncMapped> = {
  requestId: 'resync:1',
  pairs: [
    {
      sfObject: 'Contact',
      sfId: SF,
      icId: 'c1',
      toSalesforce: ['Phone'],
      toIntercom: [],
      failed: [{ direction: 'intercom_to_salesforce', attribute: 'City' }],
    },
  ],
  unmatched: 0,
  ambiguous: 0,
  at: 1,
};

function error(attributes: string[]): BodyOf<typeof SyncErrorRecorded> {
  return {
    ...(FIXTURES['sync-error.recorded.v1'] as BodyOf<typeof SyncErrorRecorded>),
    syncType: 'interactive',
    direction: 'intercom_to_salesforce',
    sfId: SF,
    icId: 'c1',
    attributes,
  };
}

describe('a resync outcome', () => {
  it('keeps a side pending while only an unmapped attribute has failed', () => {
    const [pair] = outcomeOf(mapped, [], [error(['City'])]);
    expect(pair.salesforce).toEqual({ status: 'pending', attributes: ['Phone'] });
    expect(pair.intercom).toEqual({ status: 'unchanged' });
  });

  it('fails a side by an error about its write, whatever fields it names', () => {
    expect(outcomeOf(mapped, [], [error(['Phone'])])[0].salesforce).toMatchObject({ status: 'failed' });
    // Salesforce may name another field than those sent (a validation rule), or none.
    expect(outcomeOf(mapped, [], [error(['Email'])])[0].salesforce).toMatchObject({ status: 'failed' });
    expect(outcomeOf(mapped, [], [error([])])[0].salesforce).toMatchObject({ status: 'failed' });
  });
});
