// What the benchmarks share: their numeric options, a process's CPU time, and starting a worker
// as the command runs it.
import { type ChildProcess, spawn } from 'node:child_process';
import { openSync, readFileSync } from 'node:fs';
import { BIN, binNodeFlags } from '../../cli/bin-flags.ts';

/** `--name N`, a positive whole number, or the fallback when absent. */
export function num(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  if (i < 0) return fallback;
  const v = Number(process.argv[i + 1]);
  if (!Number.isInteger(v) || v <= 0) throw new Error(`--${name} must be a positive integer, got ${process.argv[i + 1]}`);
  return v;
}

/** CPU seconds (user + system) a process has used, from /proc (Linux); 0 when unreadable. */
export function cpuOf(pid: number): number {
  try {
    const f = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
    return (Number(f[11]) + Number(f[12])) / 100;
  } catch {
    return 0;
  }
}

/** A worker process with the node flags of the command's first line (and `nodeFlags`, e.g. a
 * profiler's); its log (warnings and worse) goes to `logFile`. */
export function startWorkerProcess(configFile: string, logFile: string, nodeFlags: string[] = []): ChildProcess {
  const log = openSync(logFile, 'a');
  return spawn(process.execPath, [...binNodeFlags(), ...nodeFlags, BIN, 'worker', '--config', configFile], {
    stdio: ['ignore', log, log],
    env: { ...process.env, PEOPLESYNC_LOG_LEVEL: 'warn' },
  });
}
