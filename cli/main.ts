// Run `peoplesync <command> ...`: commander parses (cli/program.ts); whatever a command ends with
// becomes an exit code from the one table (cli/exit-codes.ts) and, under --json, one error body
// on stdout; otherwise one line on stderr.
import { CommanderError } from 'commander';
import { buildProgram } from './program.ts';

const QUIET_EXITS = new Set(['commander.helpDisplayed', 'commander.version', 'commander.help']);

export async function main(argv: string[]): Promise<number> {
  const outcome = { code: 0 };
  const program = buildProgram(outcome);
  const json = argv.includes('--json');
  let usageText = '';
  program.exitOverride();
  for (const c of [program, ...allCommands(program)]) {
    c.exitOverride();
    // Commander's own messages ("unknown option ...") go out through the one error path below.
    c.configureOutput({ writeErr: (s) => (usageText += s), outputError: () => undefined });
  }
  if (argv.length === 0) {
    program.outputHelp({ error: true });
    return 2;
  }
  try {
    await program.parseAsync(argv, { from: 'user' });
    return outcome.code;
  } catch (err) {
    if (err instanceof CommanderError && QUIET_EXITS.has(err.code)) return err.exitCode === 0 ? 0 : 2;
    const { describeError } = await import('./exit-codes.ts');
    const where = commandPath(argv, program);
    if (err instanceof CommanderError && err.code === 'commander.unknownCommand') err.message += `; say ${choices(argv, program)}`;
    const e = describeError(err);
    if (json) process.stdout.write(JSON.stringify({ error: e }, null, 2) + '\n');
    else {
      process.stderr.write(`peoplesync${where ? ` ${where}` : ''}: ${e.message}${e.status ? ` (${e.code})` : ''}\n`);
      if (e.details !== undefined) process.stderr.write(JSON.stringify(e.details, null, 2) + '\n');
      if (err instanceof CommanderError && usageText.includes('Usage:')) process.stderr.write(usageText);
    }
    return e.exitCode;
  }
}

function allCommands(c: ReturnType<typeof buildProgram>): ReturnType<typeof buildProgram>[] {
  return c.commands.flatMap((s) => [s, ...allCommands(s)]);
}

/** The command words of argv that name (sub)commands: "bulk start". */
function commandPath(argv: string[], program: ReturnType<typeof buildProgram>): string {
  const words: string[] = [];
  let c = program;
  for (const a of argv) {
    const sub = c.commands.find((s) => s.name() === a);
    if (!sub) continue;
    words.push(a);
    c = sub;
  }
  return words.join(' ');
}

/** The subcommands of the command argv names, as "start, stop, status or history". */
function choices(argv: string[], program: ReturnType<typeof buildProgram>): string {
  let c = program;
  for (const a of argv) c = c.commands.find((s) => s.name() === a) ?? c;
  const names = c.commands.map((s) => s.name()).filter((n) => n !== 'help');
  return names.length > 1 ? `${names.slice(0, -1).join(', ')} or ${names[names.length - 1]}` : names.join('');
}
