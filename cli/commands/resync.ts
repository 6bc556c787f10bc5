// `peoplesync resync <email|salesforce-id|intercom-id>`: sync one person now (class interactive),
// whether or not an error exists for them.
import { Resync } from '../../protocol/index.ts';
import { parseResyncKey, ResyncKeyError } from '../../actors/errors/index.ts';
import { UsageError, configFrom, parse, workspaceFrom } from '../args.ts';
import { controlClient } from '../control-client.ts';
import type { Command } from './types.ts';

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

export const resyncCommand: Command = {
  name: 'resync',
  summary: 'Sync one person now: peoplesync resync <email | Salesforce Lead/Contact Id | Intercom contact id>',
  async run(argv) {
    const { values, positionals } = parse(argv, {}, true);
    if (positionals.length !== 1)
      throw new UsageError('usage: peoplesync resync <email | Salesforce Lead/Contact Id | Intercom contact id>');
    const key = personKey(positionals[0]);
    const cfg = configFrom(values);
    const client = await controlClient(cfg, workspaceFrom(cfg, values.ws));
    try {
      const r = await client.request(Resync, { key, by: process.env.USER ?? 'cli' });
      process.stdout.write((values.json ? JSON.stringify(r) : `Queued a resync of ${key} (class interactive).`) + '\n');
      return 0;
    } finally {
      await client.close();
    }
  },
};
