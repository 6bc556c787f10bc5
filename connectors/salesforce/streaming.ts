// Salesforce change events through jsforce's streaming client (CometD over long polling): the
// Change Data Capture channel of every selected object, /data/ChangeEvents (API-FACTS "Change
// events"). The client resumes after the last replay id it saw, so a reconnect loses nothing the
// org kept; an event seen twice (a replay) is passed on once. A session the endpoint refuses is
// renewed and the subscription made again from where it was.
import type { Connection } from 'jsforce';
import { StreamingExtension } from 'jsforce/lib/api/streaming.js';
import type { SfObject } from '../types.ts';

export const CHANGE_EVENTS_CHANNEL = '/data/ChangeEvents';

/** One change event, as far as a sync needs it. */
export interface SfChangeEvent {
  object: SfObject;
  recordIds: string[];
  changeType: string;
  changedFields: string[];
  /** Who made the change (a user Id). */
  commitUser: string;
  /** Epoch ms, the org's clock. */
  commitTimestamp: number;
  replayId: number;
}

export interface ChangeEventOptions {
  /** The last replay id handled: events after it are delivered again. Default -1: new ones only. */
  replayFrom?: number;
  onEvent(e: SfChangeEvent): void;
  /** The subscription is down and being made again (the error says why). */
  onDown?(err: Error): void;
}

export interface ChangeSubscription {
  /** The last replay id delivered. */
  readonly lastReplayId: number;
  close(): Promise<void>;
}

interface FayeClient {
  subscribe(channel: string, listener: (m: unknown) => void): PromiseLike<void> & { cancel(): void };
  disconnect(): void;
}

function toEvent(raw: unknown): SfChangeEvent | null {
  const m = raw as { payload?: { ChangeEventHeader?: Record<string, unknown> }; event?: { replayId?: unknown } } | null;
  const h = m?.payload?.ChangeEventHeader;
  const replayId = m?.event?.replayId;
  if (!h || typeof replayId !== 'number') return null;
  const object = h.entityName;
  if (object !== 'Lead' && object !== 'Contact') return null;
  return {
    object,
    recordIds: Array.isArray(h.recordIds) ? h.recordIds.map(String) : [],
    changeType: String(h.changeType ?? ''),
    changedFields: Array.isArray(h.changedFields) ? h.changedFields.map(String) : [],
    commitUser: String(h.commitUser ?? ''),
    commitTimestamp: Number(h.commitTimestamp ?? 0),
    replayId,
  };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Subscribes; resolves once the endpoint has confirmed the subscription. */
export async function subscribeChangeEvents(
  conn: Connection,
  opts: ChangeEventOptions,
  renew: () => Promise<void>,
): Promise<ChangeSubscription> {
  let last = opts.replayFrom ?? -1;
  let closed = false;
  let client: FayeClient | null = null;
  let sub: ReturnType<FayeClient['subscribe']> | null = null;
  const start = (): PromiseLike<void> => {
    const replay = new StreamingExtension.Replay(CHANGE_EVENTS_CHANNEL, last);
    const refused = new StreamingExtension.AuthFailure(() => void again(new Error('the streaming endpoint refused the session')));
    client = conn.streaming.createClient([replay, refused]) as unknown as FayeClient;
    sub = client.subscribe(CHANGE_EVENTS_CHANNEL, (raw) => {
      const e = toEvent(raw);
      if (!e || e.replayId <= last) return;
      last = e.replayId;
      opts.onEvent(e);
    });
    return sub;
  };
  const again = async (why: Error): Promise<void> => {
    sub?.cancel();
    client?.disconnect();
    if (closed) return;
    opts.onDown?.(why);
    for (;;) {
      try {
        await renew();
        break;
      } catch (err) {
        opts.onDown?.(err as Error);
        await sleep(5_000);
        if (closed) return;
      }
    }
    start();
  };
  await start();
  return {
    get lastReplayId() {
      return last;
    },
    close: async () => {
      closed = true;
      sub?.cancel();
      client?.disconnect();
    },
  };
}
