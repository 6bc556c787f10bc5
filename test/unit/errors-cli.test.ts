import { describe, expect, it } from 'vitest';
import { formatCounts, formatError, formatErrorList, parseSince } from '../../cli/commands/errors.ts';
import { formatLetters, parseSeqs } from '../../cli/commands/dlq.ts';
import type { SyncError } from '../../protocol/index.ts';

const e: SyncError = {
  id: '0123456789abcdef01234567',
  ws: 'ws1',
  syncType: 'retry',
  direction: 'intercom_to_salesforce',
  sfObject: 'Contact',
  sfId: '003000000000001AAA',
  icId: '65f0c0ffee00000000000001',
  attributes: ['Title'],
  cause: 'validation_rule',
  message: 'Title may not be CEO',
  details: { statusCode: 'FIELD_CUSTOM_VALIDATION_EXCEPTION' },
  run: null,
  firstAt: Date.UTC(2024, 4, 1),
  lastAt: Date.UTC(2024, 4, 2, 12),
  attempts: 3,
};

describe('errors command', () => {
  it('reads --since as a duration back from now or an ISO date', () => {
    const now = Date.UTC(2024, 4, 10);
    expect(parseSince('30m', now)).toBe(now - 30 * 60_000);
    expect(parseSince('7d', now)).toBe(now - 7 * 86_400_000);
    expect(parseSince('2024-05-01', now)).toBe(Date.UTC(2024, 4, 1));
    expect(() => parseSince('last week', now)).toThrow(/duration such as 30m, 12h or 7d, or an ISO date/);
  });

  it('prints a list as a table with each message below its row', () => {
    const text = formatErrorList([e], 4, false);
    expect(text.split('\n')).toEqual([
      '1 of 4 sync errors (Intercom -> Salesforce; --all for both directions)',
      expect.stringMatching(/^LAST SEEN \(UTC\)\s+SYNC\s+DIR\s+CAUSE\s+TRIES\s+ID\s+RECORD$/),
      expect.stringMatching(
        /^2024-05-02 12:00:00\s+retry\s+ic->sf\s+validation_rule\s+3\s+0123456789abcdef01234567\s+Contact 003000000000001AAA \/ ic 65f0c0ffee00000000000001$/,
      ),
      '  Title may not be CEO [Title]',
    ]);
    expect(formatErrorList([], 0, true)).toBe('No sync errors (both directions).');
  });

  it('prints one error with its details, and counts by cause, largest first', () => {
    expect(formatError(e)).toMatch(/^id\s+0123456789abcdef01234567$/m);
    expect(formatError(e)).toMatch(/^first seen\s+2024-05-01 00:00:00 UTC$/m);
    expect(formatError(e)).toContain('"statusCode": "FIELD_CUSTOM_VALIDATION_EXCEPTION"');
    expect(formatCounts({ not_found: 1, validation_rule: 3 }, 4)).toBe('validation_rule  3\nnot_found        1\ntotal            4');
  });
});

describe('dlq command', () => {
  it('needs whole sequence numbers to replay', () => {
    expect(parseSeqs(['3', '10'])).toEqual([3, 10]);
    expect(() => parseSeqs([])).toThrow(/needs sequence numbers/);
    expect(() => parseSeqs(['x1'])).toThrow(/whole numbers, got "x1"/);
  });

  it('prints each letter with its reason, origin and error', () => {
    expect(
      formatLetters([
        {
          seq: 7,
          subject: 'peoplesync.dlq.ws1.errors',
          reason: 'undecodable',
          error: 'body is not valid application/msgpack',
          type: 'errors.report.v1',
          originalSubject: 'peoplesync.work.ws1.errors.event',
          deliveries: 1,
          at: '2024-05-01T00:00:00.000Z',
          size: 3,
          run: null,
          truncated: false,
          digest: null,
        },
      ]),
    ).toBe(
      '#7  2024-05-01T00:00:00.000Z  undecodable  errors.report.v1  3 bytes, 1 deliveries\n  from peoplesync.work.ws1.errors.event\n  body is not valid application/msgpack',
    );
    expect(formatLetters([])).toBe('No dead letters.');
  });
});
