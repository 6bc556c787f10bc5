// The `peoplesync` command's file and the node flags on its first line, for starting it with
// node directly (the bulk benchmark's workers) the way `npx peoplesync` starts it.
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

export const BIN = join(resolve(import.meta.dirname, '..'), 'cli', 'bin.mjs');

/** The node flags the command runs with (its first line). */
export function binNodeFlags(): string[] {
  const first = readFileSync(BIN, 'utf8').split('\n', 1)[0];
  return first.split(/\s+/).filter((w) => w.startsWith('--'));
}
