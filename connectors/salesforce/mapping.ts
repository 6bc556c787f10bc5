// Wire shapes to connector shapes: describe and limits; and the checks of an update batch.

import { ConnectorError } from '../errors.ts';
import type { SfDescribe, SfFieldDescribe, SfRecordUpdate } from '../types.ts';
import type { SfLimit, SfLimits } from './types.ts';

export interface RawDescribe {
  name: string;
  fields: Array<Record<string, unknown>>;
}

export function mapDescribe(raw: RawDescribe): SfDescribe {
  return {
    name: raw.name,
    fields: raw.fields.map((f): SfFieldDescribe => ({
      name: String(f.name),
      label: String(f.label),
      type: String(f.type),
      length: Number(f.length ?? 0),
      updateable: f.updateable === true,
      createable: f.createable === true,
      nillable: f.nillable === true,
      picklistValues: Array.isArray(f.picklistValues)
        ? f.picklistValues.map((p: Record<string, unknown>) => ({
            value: String(p.value),
            label: String(p.label),
            active: p.active === true,
            defaultValue: p.defaultValue === true,
          }))
        : [],
      ...(typeof f.precision === 'number' ? { precision: f.precision } : {}),
      ...(typeof f.scale === 'number' ? { scale: f.scale } : {}),
    })),
  };
}

export function mapLimits(raw: unknown): SfLimits {
  const all = raw as Record<string, SfLimit>;
  const daily = all?.DailyApiRequests;
  if (!daily || typeof daily.Max !== 'number' || typeof daily.Remaining !== 'number') {
    throw new ConnectorError('Salesforce limits answer lacks DailyApiRequests', {
      kind: 'invalid',
      system: 'salesforce',
      code: 'UNEXPECTED_RESPONSE',
    });
  }
  return { dailyApiRequests: { max: daily.Max, remaining: daily.Remaining }, all };
}

const FIELD_RE = /^[A-Za-z][A-Za-z0-9_]*$/;
const ID_RE = /^[A-Za-z0-9]{15}(?:[A-Za-z0-9]{3})?$/;

/** Refuses a batch Salesforce would refuse, before spending a call on it. */
export function checkUpdates(updates: readonly SfRecordUpdate[], max: number): void {
  const fail = (message: string) => {
    throw new ConnectorError(message, { kind: 'invalid', system: 'salesforce', code: 'INVALID_ARGUMENT' });
  };
  if (!Array.isArray(updates)) fail('update needs an array of record updates');
  if (updates.length > max) fail(`update takes at most ${max} records per call, got ${updates.length}`);
  updates.forEach((u, i) => {
    if (u?.type !== 'Lead' && u?.type !== 'Contact') fail(`update ${i}: type must be Lead or Contact, got ${String(u?.type)}`);
    if (typeof u.id !== 'string' || !ID_RE.test(u.id)) fail(`update ${i}: not a Salesforce Id: ${JSON.stringify(u.id)}`);
    if (typeof u.fields !== 'object' || u.fields === null) fail(`update ${i}: fields must be an object`);
    for (const name of Object.keys(u.fields)) {
      if (!FIELD_RE.test(name) || name.toLowerCase() === 'id' || name === 'attributes')
        fail(`update ${i}: field name not allowed: ${JSON.stringify(name)}`);
    }
  });
}
