// Shared by the errors, gateway and dead-letter tests: report bodies, and reading what sits in
// the WORK stream (items no hosted actor consumes stay there to be looked at).
import type { NatsConnection } from 'nats';
import { type BodyOf, Headers, type ReportSyncError, decodeBody } from '../../protocol/index.ts';
import { Messenger } from '../../runtime/index.ts';

export type Report = BodyOf<typeof ReportSyncError>;

export const SF_CONTACT = '003000000000001AAA';
export const SF_LEAD = '00Q000000000001AAA';
export const IC_ID = '65f0c0ffee00000000000001';

export function report(over: Partial<Report> = {}): Report {
  return {
    syncType: 'event',
    direction: 'intercom_to_salesforce',
    sfObject: 'Contact',
    sfId: SF_CONTACT,
    icId: IC_ID,
    attributes: ['Title'],
    cause: 'validation_rule',
    message: 'Title may not be CEO',
    details: { statusCode: 'FIELD_CUSTOM_VALIDATION_EXCEPTION', fields: ['Title'] },
    run: null,
    at: Date.now(),
    ...over,
  };
}

export function messenger(nc: NatsConnection): Messenger {
  return new Messenger(nc, 'peoplesync', 'msgpack');
}

export interface WorkItem {
  seq: number;
  subject: string;
  type: string | null;
  msgId: string | null;
  body: Record<string, unknown>;
}

/** Every message of the WORK stream on `filter` (a subject with wildcards), oldest first. */
export async function workItems(nc: NatsConnection, filter: string): Promise<WorkItem[]> {
  const jsm = await nc.jetstreamManager();
  const out: WorkItem[] = [];
  let seq = 1;
  for (;;) {
    let sm;
    try {
      sm = await jsm.streams.getMessage('PEOPLESYNC_WORK', { seq, next_by_subj: filter } as unknown as { seq: number });
    } catch {
      return out;
    }
    out.push({
      seq: sm.seq,
      subject: sm.subject,
      type: sm.header?.get(Headers.type) || null,
      msgId: sm.header?.get(Headers.msgId) || null,
      body: decodeBody(sm.data, sm.header?.get(Headers.contentType) || undefined) as Record<string, unknown>,
    });
    seq = sm.seq + 1;
  }
}

/** `nc` must be the test admin's: no peoplesync user may purge a stream. */
export async function purgeWork(nc: NatsConnection, filter: string): Promise<void> {
  await (await nc.jetstreamManager()).streams.purge('PEOPLESYNC_WORK', { filter });
}
