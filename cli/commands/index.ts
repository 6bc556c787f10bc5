// Every subcommand of `peoplesync`.
import { decodeCommand } from './decode.ts';
import type { Command } from './types.ts';
import { workerCommand } from './worker.ts';
import { settingsCommand } from './settings.ts';
import { quotaCommand } from './quota.ts';
import { errorsCommand } from './errors.ts';
import { resyncCommand } from './resync.ts';
import { historyCommand } from './history.ts';
import { credentialsCommand } from './credentials.ts';
import { dlqCommand } from './dlq.ts';
import { bulkCommand } from './bulk.ts';
import { sandboxCommand } from './sandbox.ts';
import { demoCommand } from './demo.ts';

export const COMMANDS: Command[] = [
  workerCommand,
  decodeCommand,
  settingsCommand,
  quotaCommand,
  errorsCommand,
  resyncCommand,
  historyCommand,
  credentialsCommand,
  dlqCommand,
  bulkCommand,
  sandboxCommand,
  demoCommand,
];
export type { Command };
