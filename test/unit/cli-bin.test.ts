import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { BIN, binNodeFlags } from '../../cli/bin-flags.ts';

const run = promisify(execFile);

describe('the peoplesync command', () => {
  it('runs as an executable with the node flags of its first line', async () => {
    expect(binNodeFlags()).toEqual(['--max-semi-space-size=64']);
    const { stdout } = await run(BIN, ['help'], { timeout: 30_000 });
    expect(stdout).toMatch(/worker/);
  });
});
