// Every subcommand of `peoplesync`.
import { decodeCommand } from './decode.ts';
import type { Command } from './types.ts';
import { workerCommand } from './worker.ts';
import { settingsCommand } from './settings.ts';
import { quotaCommand } from './quota.ts';

export const COMMANDS: Command[] = [workerCommand, decodeCommand, settingsCommand, quotaCommand];
export type { Command };
