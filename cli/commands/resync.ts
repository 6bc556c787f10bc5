// `peoplesync resync <email|salesforce-id|intercom-id>`: sync one person now (class interactive),
// whether or not an error exists for them.
import { Resync } from '../../protocol/index.ts';
import { parseResyncKey, ResyncKeyError } from '../../actors/errors/index.ts';
import { UsageError, configFrom, workspaceFrom, type Common } from '../args.ts';
import { controlClient } from '../control-client.ts';

/** A person named on the command line, refused before connecting with the shapes accepted. */
export function personKey(key: string): string {
  try {
    parseResyncKey(key);
    return key;
  } catch (err) {
    if (err instanceof ResyncKeyError) throw new UsageError(err.message);
    throw err;
  }
}

export async function runResync(values: Common, [person]: string[]): Promise<number> {
  const key = personKey(person);
  const cfg = configFrom(values);
  const client = await controlClient(cfg, workspaceFrom(cfg, values.ws));
  try {
    const r = await client.request(Resync, { key, by: process.env.USER ?? 'cli' });
    process.stdout.write((values.json ? JSON.stringify(r) : `Queued a resync of ${key} (class interactive).`) + '\n');
    return 0;
  } finally {
    await client.close();
  }
}
