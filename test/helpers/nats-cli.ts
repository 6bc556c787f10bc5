// The real NATS CLI (`nats` on PATH, natscli v0.5.0) run as a person runs it, from the
// repository's folder, as one of the users of nats.conf.
import { spawn } from 'node:child_process';
import { REPO_ROOT } from '../../cli/local-nats.ts';
import { USERS } from './nats-server.ts';

export interface CliResult {
  code: number;
  out: string;
  err: string;
}

export type CliUser = keyof typeof USERS;

function credentials(url: string, user: CliUser): string[] {
  const u = USERS[user];
  return ['-s', url, '--user', u.user, '--password', u.pass, '--inbox-prefix', u.inboxPrefix, '--timeout', '3s'];
}

/** `nats <args>` to its end. */
export function nats(url: string, user: CliUser, args: string[], timeoutMs = 30_000): Promise<CliResult> {
  return run('nats', [...credentials(url, user), ...args], timeoutMs);
}

/** `nats <args> | cmd...`, as a shell pipe. */
export function natsPiped(url: string, user: CliUser, args: string[], pipe: string, timeoutMs = 30_000): Promise<CliResult> {
  const quote = (a: string) => `'${a.replace(/'/g, `'\\''`)}'`;
  return run('sh', ['-c', `nats ${[...credentials(url, user), ...args].map(quote).join(' ')} | ${pipe}`], timeoutMs);
}

/**
 * `nats stream view` pages only on a terminal: run it in one (util-linux `script`), read its first
 * page, and stop it at its "Next Page?" prompt.
 */
export function natsOnTerminal(url: string, user: CliUser, args: string[], until: RegExp, timeoutMs = 30_000): Promise<CliResult> {
  const quote = (a: string) => `'${a.replace(/'/g, `'\\''`)}'`;
  const line = ['nats', ...credentials(url, user), ...args].map(quote).join(' ');
  return run('script', ['-qec', line, '/dev/null'], timeoutMs, until);
}

function run(cmd: string, args: string[], timeoutMs: number, until?: RegExp): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const p = spawn(cmd, args, { cwd: REPO_ROOT, stdio: ['pipe', 'pipe', 'pipe'], env: { ...process.env, NO_COLOR: '1' } });
    let out = '';
    let err = '';
    let done = false;
    const finish = (code: number) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      resolve({ code, out, err });
    };
    const timer = setTimeout(() => {
      p.kill('SIGKILL');
      reject(new Error(`${cmd} ${args.join(' ')}: no end in ${timeoutMs} ms; output: ${out.slice(-2000)} ${err.slice(-2000)}`));
    }, timeoutMs);
    p.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      if (until?.test(out)) {
        p.kill('SIGKILL');
        finish(0);
      }
    });
    p.stderr.on('data', (d: Buffer) => (err += d.toString()));
    p.on('error', (e) => reject(e));
    p.on('exit', (code) => finish(code ?? -1));
  });
}

/** The JSON documents in a CLI's output (decoded bodies are printed pretty, a `{` line to a `}` line). */
export function jsonBlocks(text: string): unknown[] {
  const out: unknown[] = [];
  const lines = text.replace(/\r/g, '').split('\n');
  for (let i = 0; i < lines.length; i++) {
    if (lines[i] !== '{') continue;
    const end = lines.indexOf('}', i);
    if (end < 0) break;
    out.push(JSON.parse(lines.slice(i, end + 1).join('\n')));
    i = end;
  }
  return out;
}
