// What peoplesync wrote to Intercom, as Intercom answered the write, goes into the identity index
// at once. The index's copy of a contact is what mapping diffs against: left as it was before the
// write, the next change of that record was diffed against values Intercom no longer held (a poll
// after a bulk run rewrote every written contact; a Salesforce change that put a value back was
// found equal to the stale copy and lost). The write's answer is the contact as Intercom holds it
// now, so keeping it costs no read.
import type { IcContact } from '../../connectors/index.ts';
import type { ActorContext } from '../../runtime/index.ts';
import type { Uses } from '../services.ts';
import { type WorkspaceFacts, matchKeyOf } from '../domain/index.ts';
import { IndexStore } from './index-store.ts';

type Ctx = ActorContext<Uses<'now'>>;

/** Takes contacts as Intercom answered writes into the index (an entry already newer stays), keyed
 * by the identity key of the settings revision the write was mapped with. */
export async function indexWritten(
  ctx: Ctx,
  facts: WorkspaceFacts,
  contacts: readonly IcContact[],
  settingsRevision: number,
): Promise<void> {
  if (contacts.length === 0) return;
  const { settings } = await facts.atRevision(settingsRevision);
  const index = new IndexStore(await ctx.kv('index'), ctx.ws);
  await index.upsert(contacts, matchKeyOf(settings.matching?.key), ctx.deps.now(), 'changed');
}
