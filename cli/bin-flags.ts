// The compiled `peoplesync` command's file and the node flags on its first line, for starting it
// with node directly (tests, the benchmarks' workers) the way the installed command starts.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { PACKAGE_ROOT } from '../runtime/package-root.ts';

export const BIN = join(PACKAGE_ROOT, 'dist', 'cli', 'bin.js');

/** The node flags the command runs with (its first line). */
export function binNodeFlags(): string[] {
  const first = readFileSync(BIN, 'utf8').split('\n', 1)[0];
  return first.split(/\s+/).filter((w) => w.startsWith('--'));
}
