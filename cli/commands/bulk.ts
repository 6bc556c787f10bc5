// `peoplesync bulk start [--dry-run] [--detach] | stop | status [--watch] | history`: the manual
// bulk sync from the command line, with a live progress bar on a terminal and --json for scripts.
// A run that stopped or failed exits 1 (cli/exit-codes.ts has the table).
import type { NatsConnection } from 'nats';
import { BulkFinished, BulkHistory, BulkProgress, BulkStart, BulkStatus, BulkStop, type Run } from '../../protocol/index.ts';
import { EXIT, configFrom, intOption, workspaceFrom, type Common } from '../args.ts';
import { type ControlClient, controlClient, followEvents } from '../control-client.ts';
import { exitCodeOf, historyTable, progressLine, summary } from './bulk-view.ts';

const ACTIVE = new Set(['running', 'paused']);
const isActive = (r: Run | null) => !!r && ACTIVE.has(r.status);

export interface WatchOptions {
  json: boolean;
  /** Redraw one line in place; otherwise print a line now and then. */
  tty: boolean;
  out?: NodeJS.WritableStream;
  /** Resolves to stop watching early (Ctrl-C). */
  until?: Promise<unknown>;
}

/** Follow a run until it ends, from its progress events (and a status poll in case an event is
 * missed), drawing the bar. Resolves with the last state seen. */
export async function watchRun(
  nc: NatsConnection,
  prefix: string,
  ws: string,
  runId: string,
  request: ControlClient['request'],
  o: WatchOptions,
): Promise<Run | null> {
  const out = o.out ?? process.stdout;
  let last: Run | null = null;
  let lastPrinted = 0;
  let wake: () => void = () => undefined;
  const show = (run: Run) => {
    if (run.runId !== runId) return;
    last = run;
    if (o.json) return;
    if (o.tty) out.write(`\r\x1b[2K${progressLine(run)}`);
    else if (Date.now() - lastPrinted >= 5_000 || !isActive(run)) {
      out.write(`${progressLine(run)}\n`);
      lastPrinted = Date.now();
    }
    if (!isActive(run)) wake();
  };
  const unfollow = followEvents(nc, prefix, ws, [BulkProgress, BulkFinished], (_type, body) => show(body as Run));
  try {
    let stop = false;
    void o.until?.then(() => {
      stop = true;
      wake();
    });
    while (!stop && (last === null || isActive(last))) {
      const polled = (await request(BulkStatus, {})).run;
      if (polled) show(polled);
      if (!isActive(last)) break;
      await new Promise<void>((r) => {
        wake = r;
        setTimeout(r, 3_000);
      });
    }
  } finally {
    unfollow();
    if (o.tty && !o.json) out.write('\n');
  }
  return last;
}

function printRun(run: Run | null, json: boolean, empty = 'No bulk run yet.'): void {
  if (json) process.stdout.write(JSON.stringify({ run }, null, 2) + '\n');
  else process.stdout.write((run ? summary(run) : empty) + '\n');
}

/** Resolves on the first Ctrl-C while watching; the run itself goes on. */
function interrupted(): { promise: Promise<void>; dispose(): void } {
  let handler: () => void = () => undefined;
  const promise = new Promise<void>((r) => {
    handler = () => r();
  });
  process.once('SIGINT', handler);
  return { promise, dispose: () => process.removeListener('SIGINT', handler) };
}

async function follow(c: ControlClient, cfg: { prefix: string }, ws: string, run: Run, json: boolean): Promise<number> {
  const ctrlC = interrupted();
  try {
    const end = await watchRun(c.nc, cfg.prefix, ws, run.runId, c.request, { json, tty: !!process.stdout.isTTY, until: ctrlC.promise });
    if (end && isActive(end)) {
      process.stderr.write(`stopped watching; run ${run.runId} goes on (peoplesync bulk stop to stop it)\n`);
      return EXIT.ok;
    }
    printRun(end, json);
    return exitCodeOf(end);
  } finally {
    ctrlC.dispose();
  }
}

type BulkOptions = Common & { dryRun?: boolean; detach?: boolean; watch?: boolean; limit?: string; by?: string };

export function runBulk(verb: 'start' | 'stop' | 'status' | 'history') {
  return async (values: BulkOptions): Promise<number> => {
    const limit = verb === 'history' ? intOption('limit', values.limit, 1, 500) : 0;
    const cfg = configFrom(values);
    const ws = workspaceFrom(cfg, values.ws);
    const json = values.json === true;
    const by = values.by ?? process.env.USER ?? 'cli';
    const c = await controlClient(cfg, ws);
    try {
      switch (verb) {
        case 'start': {
          const { run } = await c.request(BulkStart, { startedBy: by, dryRun: values.dryRun === true });
          if (values.detach) {
            printRun(run, json);
            return EXIT.ok;
          }
          if (!json) process.stdout.write(`bulk run ${run.runId} started${run.dryRun ? ' (dry run)' : ''}\n`);
          return await follow(c, cfg, ws, run, json);
        }
        case 'stop': {
          const { run } = await c.request(BulkStop, { reason: 'user', by });
          printRun(run, json, 'No bulk run is active: nothing to stop.');
          return run ? EXIT.ok : EXIT.failure;
        }
        case 'status': {
          const { run } = await c.request(BulkStatus, {});
          if (values.watch && run && isActive(run)) return await follow(c, cfg, ws, run, json);
          printRun(run, json);
          return exitCodeOf(run);
        }
        default: {
          const { runs } = await c.request(BulkHistory, { limit });
          process.stdout.write((json ? JSON.stringify({ runs }, null, 2) : historyTable(runs)) + '\n');
          return EXIT.ok;
        }
      }
    } finally {
      await c.close();
    }
  };
}
