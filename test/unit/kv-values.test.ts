import { describe, expect, it } from 'vitest';
import { FIXTURES } from '../helpers/fixtures.ts';
import {
  ChangeStreamSchema,
  CurrentRunSchema,
  DirectoryShardSchema,
  IcCursorSchema,
  IcLinksSchema,
  IndexEntrySchema,
  KvValueError,
  LeaseValueSchema,
  LedgerSnapshotSchema,
  LookupSchema,
  PageRecordSchema,
  PollClockSchema,
  RefreshStateSchema,
  ReportSchema,
  RunSchema,
  SfCursorSchema,
  SfLinkSchema,
  StoredErrorSchema,
  UsageWindowSnapshotSchema,
  WorkspaceSettingsSchema,
  WriteRecordSchema,
  kvValue,
  parseKvValue,
} from '../../protocol/index.ts';
import { defaultSettings } from '../../actors/mapping/index.ts';

const contact = { id: 'c1', role: 'user', email: 'ann@example.com', updated_at: 10, custom_attributes: {} };
const entry = { id: 'c1', role: 'user', email: 'ann@example.com', keyAttr: null, matchKey: null, updatedAt: 10, indexedAt: 5, contact };

/** The schema refuses the value, naming the field and what is wrong; a lenient read takes it for none. */
function refuses(schema: Parameters<typeof parseKvValue>[0], value: unknown, what: string, problem: RegExp): void {
  expect(() => parseKvValue(schema, value, what)).toThrow(KvValueError);
  expect(() => parseKvValue(schema, value, what)).toThrow(new RegExp(`^stored ${what} is not valid: `));
  expect(() => parseKvValue(schema, value, what)).toThrow(problem);
  expect(kvValue(schema, value)).toBeNull();
}

describe('KV value schemas', () => {
  it('runs: the current run names a run id, a run has every field of a run', () => {
    expect(parseKvValue(CurrentRunSchema, { runId: 'run-1' }, 'current run')).toEqual({ runId: 'run-1' });
    refuses(CurrentRunSchema, { runId: 'no spaces' }, 'current run', /runId: must be 1-64 letters/);
    refuses(CurrentRunSchema, { run: 'run-1' }, 'current run', /runId: Invalid input: expected string, received undefined/);
    refuses(RunSchema, { runId: 'run-1', status: 'running' }, 'run', /ws: Invalid input/);
    refuses(RunSchema, 'running', 'run', /\(value\): Invalid input: expected object, received string/);
    // A run a later version wrote with a field more still reads (the message schema is strict).
    const later = { ...(FIXTURES['bulk.progress.v1'] as object), resumedFrom: 'r0' };
    expect(RunSchema.safeParse(later).success).toBe(false);
    expect(parseKvValue(RunSchema, later, 'run')).toMatchObject({ runId: 'r1', status: 'running' });
    expect(kvValue(RunSchema, later)).toMatchObject({ runId: 'r1', status: 'running' });
  });

  it('cursors: Salesforce and Intercom cursors, the change stream replay id and the poll clock', () => {
    expect(parseKvValue(SfCursorSchema, { modstamp: '2026-01-01T00:00:00.000Z', id: '000000000000000AAA' }, 'cursor')).toMatchObject({
      id: '000000000000000AAA',
    });
    refuses(SfCursorSchema, { modstamp: 5, id: 'x' }, 'cursor', /modstamp: Invalid input: expected string, received number/);
    refuses(IcCursorSchema, { since: 1.5 }, 'cursor', /since: Invalid input: expected int/);
    refuses(ChangeStreamSchema, { replayId: '7' }, 'replay id', /replayId: Invalid input: expected number, received string/);
    refuses(PollClockSchema, { askedAt: null }, 'poll clock', /askedAt: Invalid input: expected number, received null/);
    expect(kvValue(PollClockSchema, null)).toBeNull();
  });

  it('leases: holder, time and liveness subject are what they say', () => {
    expect(parseKvValue(LeaseValueSchema, { holder: 'h1', at: 1, alive: 'x.alive' }, 'lease')).toEqual({
      holder: 'h1',
      at: 1,
      alive: 'x.alive',
    });
    refuses(LeaseValueSchema, { holder: 'h1', alive: 42 }, 'lease', /alive: Invalid input: expected string, received number/);
  });

  it('index: entries, lookups, directory shards, page records and the refresh state', () => {
    expect(parseKvValue(IndexEntrySchema, entry, 'index entry')).toEqual(entry);
    // Entries written before a field existed read with its default.
    expect(parseKvValue(IndexEntrySchema, { id: 'c1', role: 'lead', updatedAt: 1, contact }, 'index entry')).toMatchObject({
      email: null,
      keyAttr: null,
      indexedAt: 0,
    });
    refuses(IndexEntrySchema, { ...entry, role: 'admin' }, 'index entry', /role: Invalid option: expected one of "user"\|"lead"/);
    refuses(IndexEntrySchema, { ...entry, contact: { ...contact, custom_attributes: 'x' } }, 'index entry', /contact\.custom_attributes: /);
    refuses(LookupSchema, { v: 'ann@example.com', ids: 'c1' }, 'lookup', /ids: Invalid input: expected array, received string/);
    refuses(DirectoryShardSchema, { ids: [1] }, 'directory shard', /ids\.0: Invalid input: expected string, received number/);
    expect(parseKvValue(PageRecordSchema, { ids: ['c1'] }, 'page record')).toEqual({ ids: ['c1'], indexed: true });
    refuses(PageRecordSchema, { ids: ['c1'], indexed: 'no' }, 'page record', /indexed: Invalid input: expected boolean/);
    refuses(RefreshStateSchema, { run: 'r1', pages: -1 }, 'refresh state', /pages: Too small/);
    refuses(RefreshStateSchema, { run: 'r1', pages: 1, earlier: [{ run: 'r0' }] }, 'refresh state', /earlier\.0\.pages: /);
  });

  it('links: a record names its contact and object, a contact its Lead and Contact', () => {
    expect(parseKvValue(SfLinkSchema, { icId: 'c1', object: 'Lead' }, 'link')).toEqual({ icId: 'c1', object: 'Lead' });
    refuses(SfLinkSchema, { icId: 'c1', object: 'Account' }, 'link', /object: Invalid option: expected one of "Lead"\|"Contact"/);
    refuses(SfLinkSchema, { object: 'Lead' }, 'link', /icId: /);
    expect(parseKvValue(IcLinksSchema, { Contact: '003000000000001AAA' }, 'links')).toEqual({ Contact: '003000000000001AAA' });
    refuses(IcLinksSchema, { Lead: 5 }, 'links', /Lead: Invalid input: expected string, received number/);
  });

  it('reports: a kept report is one of the kinds counted, with its message body', () => {
    const scanned = { kind: 'scanned', body: { run: 'r1', object: 'Lead', page: 0, records: 3, batchIds: ['b1'], last: true } };
    expect(parseKvValue(ReportSchema, scanned, 'report')).toEqual(scanned);
    refuses(
      ReportSchema,
      { ...scanned, kind: 'guessed' },
      'report',
      /kind: Invalid discriminator value\. Expected 'indexPage' \| 'indexed' \| 'scanned' \| 'mapped' \| 'written'/,
    );
    refuses(ReportSchema, { ...scanned, body: { ...scanned.body, records: -1 } }, 'report', /body\.records: Too small/);
  });

  it('writes, errors, quota and settings: the records other actors read', () => {
    refuses(
      WriteRecordSchema,
      { system: 'salesforce', run: null, batchId: 'b', part: 0, written: 'x', failed: [] },
      'write record',
      /written: /,
    );
    refuses(StoredErrorSchema, { id: 'e1' }, 'sync error', /ws: Invalid input/);
    refuses(
      LedgerSnapshotSchema,
      { v: 1, window: {}, grants: [['g', 'bulk', 0, 1]], org: null, limitExceededAt: null },
      'quota state',
      /grants\.0\.2: Too small/,
    );
    refuses(UsageWindowSnapshotSchema, { v: 1, buckets: [[1, 2, 3]] }, 'usage window', /buckets\.0: Too big/);
    expect(parseKvValue(WorkspaceSettingsSchema, defaultSettings(), 'settings')).toBeTruthy();
    refuses(WorkspaceSettingsSchema, { ...defaultSettings(), mappings: 'all' }, 'settings', /mappings: /);
  });
});
