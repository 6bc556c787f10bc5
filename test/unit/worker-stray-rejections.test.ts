// A worker process outlives a promise rejection nobody handles: it logs it and goes on.
import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';

const script = `
import { logStrayRejections } from './cli/commands/worker.ts';
import { createLogger } from './runtime/index.ts';
logStrayRejections(createLogger({ level: 'info' }));
void Promise.reject(new Error('a timer nobody awaited'));
setTimeout(() => { console.log('still running'); }, 50);
`;

describe('worker process', () => {
  it('logs an unhandled rejection and keeps running', () => {
    const r = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { encoding: 'utf8', timeout: 30_000 });
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('unhandled rejection: logged, the worker keeps running');
    expect(r.stdout).toContain('a timer nobody awaited');
    expect(r.stdout).toContain('still running');
  });
});
