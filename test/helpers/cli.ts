// The `peoplesync` command in tests: the compiled command as a child process (as installed), or
// main() in this process with its output captured.
import { spawn } from 'node:child_process';
import { vi } from 'vitest';
import { BIN, binNodeFlags } from '../../cli/bin-flags.ts';
import { main } from '../../cli/main.ts';
import { REPO_ROOT } from '../../cli/local-nats.ts';

export { BIN };

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs the compiled command to its end; `input` goes to its stdin. */
export function runBin(
  args: string[],
  o: { input?: string | Uint8Array; env?: NodeJS.ProcessEnv; timeoutMs?: number } = {},
): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const p = spawn(process.execPath, [...binNodeFlags(), BIN, ...args], { cwd: REPO_ROOT, env: o.env ?? process.env });
    let stdout = '';
    let stderr = '';
    p.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    p.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => {
      p.kill('SIGKILL');
      reject(new Error(`peoplesync ${args.join(' ')} did not end within ${o.timeoutMs ?? 60_000} ms\n${stdout}\n${stderr}`));
    }, o.timeoutMs ?? 60_000);
    p.on('error', reject);
    p.on('exit', (code) => {
      clearTimeout(timer);
      resolve({ code: code ?? -1, stdout, stderr });
    });
    p.stdin.end(o.input ?? '');
  });
}

/** Runs main() here, capturing what it writes to stdout and stderr. */
export async function runMain(args: string[]): Promise<CliResult> {
  let stdout = '';
  let stderr = '';
  const out = vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => ((stdout += String(chunk)), true));
  const err = vi.spyOn(process.stderr, 'write').mockImplementation((chunk) => ((stderr += String(chunk)), true));
  try {
    return { code: await main(args), stdout, stderr };
  } finally {
    out.mockRestore();
    err.mockRestore();
  }
}
