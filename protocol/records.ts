// Records kept in KV that more than one actor reads. The writer records what each write item
// wrote (bucket `writes`), record by record, after every call: a redelivered item redoes only what
// is not there, and the coordinator tells a run's writes from them wherever it runs.
//
//   bucket writes:  <ws>.<run or class>.<sf|ic>.<item hash>    WriteRecord of one write item
import { z } from 'zod';
import { BatchIdSchema, RunIdSchema, nonNegInt } from './messages/common.ts';

export const WriteRecordSchema = z.strictObject({
  system: z.enum(['salesforce', 'intercom']),
  run: RunIdSchema.nullable(),
  batchId: BatchIdSchema,
  part: nonNegInt(),
  /** Records the service took. */
  written: z.array(z.string()),
  /** Records the service refused (a sync error each), with what it said. */
  failed: z.array(z.strictObject({ id: z.string(), error: z.record(z.string(), z.unknown()) })),
  /** Fields left out of records written, by record (the service refused them for the whole call). */
  dropped: z.record(z.string(), z.array(z.string())).default({}),
  /** Records handed to a call, written before the call goes: those with no outcome yet were in a
   * call whose answer nobody recorded (its worker was lost): they may or may not be written. */
  sent: z.array(z.string()).default([]),
});
export type WriteRecord = z.infer<typeof WriteRecordSchema>;

/** Every write record of a run: `<ws>.<run>.>`. */
export function runWritesFilter(ws: string, run: string): string {
  return `${ws}.${run}.>`;
}
