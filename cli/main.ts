// Dispatch `peoplesync <command> ...`; errors become one clear line and an exit code.
import { ConfigError } from '../runtime/index.ts';
import { ControlError } from '../protocol/index.ts';
import { EXIT, UsageError } from './args.ts';
import { COMMANDS } from './commands/index.ts';

function usage(): string {
  const width = Math.max(...COMMANDS.map((c) => c.name.length));
  return [
    'usage: peoplesync <command> [options]',
    '',
    'commands:',
    ...COMMANDS.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`),
    '',
    'common options: --config FILE (or PEOPLESYNC_CONFIG), --ws WORKSPACE, --json',
  ].join('\n');
}

export async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    process.stdout.write(usage() + '\n');
    return name ? EXIT.ok : EXIT.usage;
  }
  const cmd = COMMANDS.find((c) => c.name === name);
  if (!cmd) {
    process.stderr.write(`peoplesync: unknown command "${name}"\n\n${usage()}\n`);
    return EXIT.usage;
  }
  if (rest.includes('--help') || rest.includes('-h')) {
    process.stdout.write(
      `${cmd.usage ?? `peoplesync ${cmd.name}: ${cmd.summary}`}\n(common options: --config FILE, --ws WORKSPACE, --json)\n`,
    );
    return EXIT.ok;
  }
  try {
    return await cmd.run(rest);
  } catch (err) {
    if (err instanceof UsageError) {
      process.stderr.write(`peoplesync ${name}: ${err.message}\n`);
      return EXIT.usage;
    }
    if (err instanceof ConfigError) {
      process.stderr.write(`peoplesync ${name}: ${err.message}\n`);
      return EXIT.usage;
    }
    if (err instanceof ControlError) {
      process.stderr.write(`peoplesync ${name}: ${err.message} (${err.code})\n`);
      if (err.details) process.stderr.write(JSON.stringify(err.details, null, 2) + '\n');
      return err.status >= 500 ? EXIT.unavailable : EXIT.failure;
    }
    process.stderr.write(`peoplesync ${name}: ${(err as Error).message ?? String(err)}\n`);
    return EXIT.failure;
  }
}
