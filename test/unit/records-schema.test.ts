// A batch's records are checked in place (the same objects go on) and must be refused exactly as
// the loose schema that describes them refuses them, with the same messages.
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { MatchRecords, SfRecordSchema, SfRecordsSchema, validateBody } from '../../protocol/index.ts';

const ID = '00Q000000000001AAA';
const samples: unknown[] = [
  { Id: ID },
  { Id: ID, SystemModstamp: '2024-01-01T00:00:00.000+0000', Email: 'a@example.com', Nested: { x: [1] } },
  { Id: ID.slice(0, 15) },
  { Id: ID.slice(0, 14) },
  { Id: `${ID}X` },
  { Id: 15 },
  { SystemModstamp: 'x' },
  { Id: ID, SystemModstamp: null },
  { Id: ID, SystemModstamp: undefined },
  { Id: ID, SystemModstamp: 7 },
  Object.assign(Object.create(null), { Id: ID }),
  [ID],
  ID,
  null,
  undefined,
  new Date(),
];

const verdict = (s: z.ZodType, v: unknown) => {
  const r = s.safeParse(v);
  return r.success ? 'ok' : r.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ');
};

describe('Salesforce records in a batch', () => {
  it('are refused exactly as the loose schema refuses them, with its messages', () => {
    const copying = z.array(SfRecordSchema).max(2000);
    const batches: unknown[] = [
      ...samples.map((v) => [v]),
      ...samples.map((v) => [{ Id: ID }, v, { Id: ID }]),
      [],
      Array.from({ length: 2000 }, () => ({ Id: ID })),
      Array.from({ length: 2001 }, () => ({ Id: ID })),
      { 0: { Id: ID }, length: 1 },
      ...samples,
    ];
    for (const b of batches) expect(verdict(SfRecordsSchema, b), JSON.stringify(b)?.slice(0, 80)).toBe(verdict(copying, b));
  });

  it('reach the handler as the same objects, not copies', () => {
    const records = [{ Id: ID, Email: 'a@example.com' }, { Id: ID.slice(0, 15) }];
    const body = validateBody(MatchRecords, { batchId: 'b', settingsRevision: 1, object: 'Lead', records });
    expect(body.records[0]).toBe(records[0]);
    expect(body.records[1]).toBe(records[1]);
  });

  it('name the record and the field at fault', () => {
    const records = [{ Id: ID }, { Id: 'short' }];
    expect(() => validateBody(MatchRecords, { batchId: 'b', settingsRevision: 1, object: 'Lead', records })).toThrow(
      /records\.1\.Id: Too small/,
    );
  });
});
