// The history actor (pool): answers `history.person`, the changes synced for one person, read from
// the audit events by subject. A person is named as `peoplesync resync` names one: an email (found
// through the identity index), a Salesforce Lead/Contact Id or an Intercom contact id.
import { ControlError, LookupSchema, PersonHistory, kvValue } from '../../protocol/index.ts';
import { type ActorContext, type ActorDef, endpoint } from '../../runtime/index.ts';
import { ResyncKeyError, type ResyncTarget, parseResyncKey } from '../errors/index.ts';
import { indexKeys, normaliseEmail } from '../matching/index.ts';
import { type PersonIds, historyOf, personTopics } from './history.ts';

function target(key: string): ResyncTarget {
  try {
    return parseResyncKey(key);
  } catch (err) {
    if (err instanceof ResyncKeyError) throw new ControlError('invalid_key', err.message, { status: 400 });
    throw err;
  }
}

/** The Intercom contacts the identity index holds under an email. */
async function contactsWithEmail(ctx: ActorContext, email: string): Promise<string[]> {
  const value = normaliseEmail(email);
  if (!value) return [];
  // A lookup not of its schema names no one, as a missing one.
  const found = kvValue(LookupSchema, (await (await ctx.kv('index')).getRaw(indexKeys.lookup(ctx.ws, 'e', value)))?.value);
  return found && found.v === value ? found.ids : [];
}

async function idsOf(ctx: ActorContext, t: ResyncTarget): Promise<PersonIds> {
  switch (t.kind) {
    case 'salesforce':
      return { sfIds: [t.sfId], icIds: [] };
    case 'intercom':
      return { sfIds: [], icIds: [t.icId] };
    case 'email':
      return { sfIds: [], icIds: await contactsWithEmail(ctx, t.email) };
  }
}

export const historyActor: ActorDef = {
  name: 'history',
  endpoints: [
    endpoint(PersonHistory, async ({ key, limit }, ctx) => {
      const ids = await idsOf(ctx, target(key));
      const events = ids.sfIds.length + ids.icIds.length ? await ctx.events.read(ctx.ws, personTopics(ids)) : [];
      return { key, ...historyOf(events, ids, limit) };
    }),
  ],
};
