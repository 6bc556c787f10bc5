// Change Data Capture as the org publishes it (API-FACTS "Change events"): one change event per
// record a write creates, changes or deletes, on /data/ChangeEvents and /data/<Object>ChangeEvent,
// `{schema, payload: {ChangeEventHeader, ...the values set}, event: {replayId}}`. commitUser is the
// integration's user for API writes and another user for changes people make; changedFields is
// empty for a creation. Events are kept for replay (a subscriber that comes back asks for those
// after the last replay id it saw). Fault injection loses events (never delivered, not kept) or
// delivers them late.
import type { FaultInjector } from './faults.ts';
import type { StoreChange } from './store.ts';
import type { SObjectName } from './wire.ts';

export const ALL_CHANGES_CHANNEL = '/data/ChangeEvents';
export const channelOf = (object: SObjectName) => `/data/${object}ChangeEvent`;

/** What a person's changes carry as commitUser (API writes carry the integration's user). */
export const PERSON_USER_ID = '005000000000002AAA';
/** Events kept for replay (Salesforce keeps three days' worth). */
const RETAINED = 50_000;

export interface ChangeEventMessage {
  schema: string;
  payload: { ChangeEventHeader: ChangeEventHeader } & Record<string, unknown>;
  event: { replayId: number };
}

export interface ChangeEventHeader {
  entityName: SObjectName;
  recordIds: string[];
  changeType: 'CREATE' | 'UPDATE' | 'DELETE';
  changeOrigin: string;
  transactionKey: string;
  sequenceNumber: number;
  commitTimestamp: number;
  commitNumber: number;
  commitUser: string;
  changedFields: string[];
}

export interface ChangeEventStats {
  published: number;
  lost: number;
}

type Deliver = (channel: string, message: ChangeEventMessage) => void;

export class ChangeEventLog {
  private readonly history: ChangeEventMessage[] = [];
  private nextReplayId = 1;
  private readonly deliveries = new Set<Deliver>();
  readonly stats: ChangeEventStats = { published: 0, lost: 0 };

  constructor(
    private readonly faults: FaultInjector,
    private readonly apiUserId: string,
    private readonly apiVersion: string,
    private readonly now: () => number,
  ) {}

  /** Where events go as they are published (the Bayeux endpoint). */
  onPublish(deliver: Deliver): () => void {
    this.deliveries.add(deliver);
    return () => this.deliveries.delete(deliver);
  }

  record(c: StoreChange): void {
    if (this.faults.dropEvent()) {
      this.stats.lost += 1;
      return;
    }
    const replayId = this.nextReplayId++;
    const fields = Object.keys(c.values).filter((f) => f !== 'Id' && f !== 'SystemModstamp');
    const message: ChangeEventMessage = {
      schema: `sandbox-${c.object}-v1`,
      payload: {
        ChangeEventHeader: {
          entityName: c.object,
          recordIds: [c.id],
          changeType: c.changeType,
          changeOrigin: c.by === 'api' ? `com/salesforce/api/rest/${this.apiVersion}` : '',
          transactionKey: `${c.stamp}/${replayId}`,
          sequenceNumber: 1,
          commitTimestamp: this.now(),
          commitNumber: replayId,
          commitUser: c.by === 'api' ? this.apiUserId : PERSON_USER_ID,
          changedFields: c.changeType === 'UPDATE' ? [...new Set([...fields, 'LastModifiedDate'])] : [],
        },
        ...Object.fromEntries(fields.map((f) => [f, c.values[f]])),
      },
      event: { replayId },
    };
    this.history.push(message);
    if (this.history.length > RETAINED) this.history.splice(0, this.history.length - RETAINED);
    this.stats.published += 1;
    const { eventDelayMs } = this.faults.current;
    const send = () => {
      for (const d of this.deliveries) {
        d(ALL_CHANGES_CHANNEL, message);
        d(channelOf(c.object), message);
      }
    };
    if (eventDelayMs > 0) setTimeout(send, eventDelayMs);
    else send();
  }

  /** Kept events after `replayId` on a channel: -1 none (new ones only), -2 every kept one. */
  since(channel: string, replayId: number): ChangeEventMessage[] {
    if (replayId === -1) return [];
    const mine =
      channel === ALL_CHANGES_CHANNEL
        ? this.history
        : this.history.filter((m) => channelOf(m.payload.ChangeEventHeader.entityName) === channel);
    return replayId === -2 ? [...mine] : mine.filter((m) => m.event.replayId > replayId);
  }
}
