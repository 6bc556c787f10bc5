// `peoplesync worker [--actors a,b] [--config file]`: host actors until SIGINT/SIGTERM.
import { createLogger } from '../../runtime/index.ts';
import { configFrom, parse } from '../args.ts';
import { startWorker } from '../worker.ts';
import type { Command } from './types.ts';

export const workerCommand: Command = {
  name: 'worker',
  summary: 'Host actors (--actors a,b or all) for the configured workspaces',
  async run(argv) {
    const { values } = parse(argv, { actors: { type: 'string', default: 'all' } });
    const cfg = configFrom(values);
    const log = createLogger({ level: cfg.logLevel });
    const w = await startWorker(cfg, { actors: String(values.actors).split(',').map((s) => s.trim()).filter(Boolean), log });
    await waitForSignal(log);
    await w.stop();
    return 0;
  },
};

/** Resolves on the first SIGINT/SIGTERM; a second one exits at once. */
export function waitForSignal(log: { info(msg: string): void }): Promise<void> {
  return new Promise((resolve) => {
    let seen = false;
    const onSignal = (sig: string) => {
      if (seen) process.exit(130);
      seen = true;
      log.info(`${sig}: stopping (again to force)`);
      resolve();
    };
    process.on('SIGINT', () => onSignal('SIGINT'));
    process.on('SIGTERM', () => onSignal('SIGTERM'));
  });
}
