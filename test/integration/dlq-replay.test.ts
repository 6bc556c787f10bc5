// Dead letters through the errors actor's endpoints: poison is listed with its reason and can be
// replayed to its original subject; a report that failed while the errors bucket was missing is
// recorded once the bucket is back and the letter replayed.
import { headers as natsHeaders } from 'nats';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DlqList, DlqReplay, ErrorsList, Headers, ReportSyncError, topology } from '../../protocol/index.ts';
import { type Messenger, provision } from '../../runtime/index.ts';
import { waitFor } from '../helpers/host.ts';
import { type TestSystem, WS, startSystem } from '../helpers/system.ts';
import { messenger, report } from './errors-helpers.ts';

let sys: TestSystem;
let m: Messenger;

beforeAll(async () => {
  sys = await startSystem({ generator: { people: 5 } });
  await sys.startWorker(['errors']);
  m = messenger(sys.nc);
}, 60_000);
afterAll(async () => {
  await sys?.stop();
});

const letters = async () => (await m.request(DlqList, WS, { limit: 100 })).letters;

describe('dead letters', () => {
  it('lists a poison message with its reason and replays it to its original subject', async () => {
    const subj = `peoplesync.work.${WS}.errors.event`;
    const h = natsHeaders();
    h.set(Headers.type, ReportSyncError.type);
    h.set(Headers.contentType, 'application/msgpack');
    await sys.nc.jetstream().publish(subj, new Uint8Array([0xc1, 0x00, 0xff]), { headers: h });
    const [letter] = await waitFor(
      async () => {
        const l = await letters();
        return l.length ? l : null;
      },
      { what: 'a dead letter' },
    );
    expect(letter).toMatchObject({
      subject: `peoplesync.dlq.${WS}.errors`,
      reason: 'undecodable',
      type: ReportSyncError.type,
      originalSubject: subj,
      deliveries: 1,
      size: 3,
    });
    expect(letter.error).toMatch(/not valid application\/msgpack/);
    expect(await m.request(DlqReplay, WS, { seqs: [letter.seq, 999_999] })).toEqual({ replayed: 1, missing: [999_999], truncated: [] });
    // Still poison: it went back to its queue and from there to the DLQ again, under a new sequence.
    const again = await waitFor(async () => (await letters()).find((l) => l.seq !== letter.seq), { what: 'the replayed letter back' });
    expect(again).toMatchObject({ originalSubject: subj, reason: 'undecodable' });
    expect((await letters()).map((l) => l.seq)).not.toContain(letter.seq);
    await m.request(DlqReplay, WS, { seqs: [again.seq] });
  });

  it('refuses a replay request without sequences', async () => {
    await expect(m.request(DlqReplay, WS, { seqs: [] })).rejects.toThrow(/seqs/);
  });

  it('replays a report that failed while the errors bucket was missing, once it is back', async () => {
    await waitFor(async () => (await letters()).length === 1, { what: 'the poison letter' });
    const jsm = await sys.admin.jetstreamManager();
    await jsm.streams.delete('KV_peoplesync_errors');
    await m.publish(ReportSyncError, WS, report({ message: 'while the bucket was gone' }), { cls: 'event' });
    // Whether the server's answer reads as NATS trouble (retried, then max_deliveries) or as a
    // refusal (permanent_error at once), the report ends in the DLQ rather than being lost.
    const failed = await waitFor(
      async () => (await letters()).find((l) => l.reason === 'permanent_error' || l.reason === 'max_deliveries'),
      { what: 'the failed report', timeoutMs: 30_000 },
    );
    expect(failed).toMatchObject({ type: ReportSyncError.type, originalSubject: `peoplesync.work.${WS}.errors.event` });
    // The fix: the bucket is provisioned again (as any worker start does).
    await provision(sys.nc, topology(), 1);
    expect(await m.request(DlqReplay, WS, { seqs: [failed.seq] })).toEqual({ replayed: 1, missing: [], truncated: [] });
    const listed = await waitFor(
      async () => {
        const r = await m.request(ErrorsList, WS, {});
        return r.total === 1 ? r.errors : null;
      },
      { what: 'the replayed report recorded' },
    );
    expect(listed[0]).toMatchObject({ message: 'while the bucket was gone', attempts: 1 });
    expect((await letters()).some((l) => l.seq === failed.seq)).toBe(false);
  });
});
