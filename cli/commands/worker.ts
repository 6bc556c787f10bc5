// `peoplesync worker [--actors a,b] [--config file]`: host actors until SIGINT/SIGTERM.
import { createLogger } from '../../runtime/index.ts';
import { configFrom, type Common } from '../args.ts';
import { selectActors, startWorker } from '../worker.ts';

export async function runWorker(o: Common & { actors?: string }): Promise<number> {
  const names = String(o.actors ?? 'all')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  selectActors(names);
  const cfg = configFrom(o);
  const log = createLogger({ level: cfg.logLevel });
  logStrayRejections(log);
  const w = await startWorker(cfg, { actors: names, log });
  await waitForSignal(log);
  await w.stop();
  return 0;
}

/**
 * A promise nobody awaits that fails, say a request timer nats.js leaves behind while the server
 * stalls, would end the process (Node's default) and every actor in it with it. Work is in
 * durable queues and leases lapse by themselves, so the worker logs it and goes on.
 */
export function logStrayRejections(log: { error(obj: object, msg: string): void }): void {
  process.on('unhandledRejection', (reason) => {
    log.error(
      { err: reason instanceof Error ? reason : new Error(String(reason)) },
      'unhandled rejection: logged, the worker keeps running',
    );
  });
}

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
