// Every subcommand of `peoplesync`.
import { decodeCommand } from './decode.ts';
import type { Command } from './types.ts';
import { workerCommand } from './worker.ts';

export const COMMANDS: Command[] = [workerCommand, decodeCommand];
export type { Command };
