// The `peoplesync` command line: every command, subcommand and option, with their help and
// examples, parsed by commander. A command's code is imported only when it runs, so `help` and
// `decode` start without loading NATS, zod or the actors.
import { Command } from 'commander';
import type { Common } from './args.ts';
import { packageVersion } from '../runtime/package-root.ts';

/** What an action returns: the exit code (cli/exit-codes.ts). */
type Action = (opts: Record<string, unknown> & Common, args: string[]) => Promise<number>;

/** Runs a command's action and keeps its exit code where main() reads it. */
export interface Outcome {
  code: number;
}

const examples = (lines: string[]) => `\nExamples:\n${lines.map((l) => `  $ ${l}`).join('\n')}\n`;

function act(outcome: Outcome, load: () => Promise<Action>) {
  return async (...a: unknown[]) => {
    const cmd = a[a.length - 1] as Command;
    const args = cmd.args;
    const opts = cmd.optsWithGlobals() as Record<string, unknown> & Common;
    outcome.code = await (await load())(opts, args);
  };
}

const DATA_HELP = [
  ['--people <n>', 'generated people (default 10000)'],
  ['--seed <n>', 'generator seed', '7'],
  ['--schema <file>', 'a Salesforce schema file (custom fields, picklists)'],
  ['--data <file...>', 'people files (NDJSON) instead of generated people'],
  ['--dump <dir>', 'write both sides back as NDJSON on exit and on SIGUSR2'],
  ['--ic-rate-limit <n>', "the Intercom sandbox's requests per 10 s window"],
  ['--sf-port <port>', 'Salesforce sandbox port (0: any free port)', '0'],
  ['--ic-port <port>', 'Intercom sandbox port (0: any free port)', '0'],
  ['--smtp-port <port>', 'SMTP sink port (0: any free port)', '0'],
] as const;

function dataOptions(c: Command): Command {
  for (const [flags, text, dflt] of DATA_HELP as readonly (readonly string[])[]) c.option(flags, text, dflt);
  return c;
}

export function buildProgram(outcome: Outcome): Command {
  const program = new Command('peoplesync')
    .description('Keep people data in sync between Salesforce and Intercom.')
    .version(packageVersion(), '-V, --version', 'print the version')
    .option('-c, --config <file>', 'config file (or PEOPLESYNC_CONFIG)')
    .option('-w, --ws <workspace>', 'the workspace (needed when the config has more than one)')
    .option('--json', 'results and errors as JSON on stdout')
    .configureHelp({ showGlobalOptions: true, sortSubcommands: false })
    .showSuggestionAfterError(true)
    .helpCommand(false)
    .addHelpText(
      'after',
      `\nExit codes: 0 ok, 1 failure, 2 usage, 3 unavailable (NATS or a leader).\nRun 'peoplesync help <command>' for a command's options and examples.\n`,
    );

  program
    .command('worker')
    .description('Host actors for the configured workspaces until SIGINT/SIGTERM')
    .option('--actors <names>', 'comma-separated actors, or all', 'all')
    .addHelpText('after', examples(['peoplesync worker --config worker.json', 'peoplesync worker --actors gateway,errors -c gw.json']))
    .action(act(outcome, async () => (await import('./commands/worker.ts')).runWorker));

  program
    .command('decode')
    .description('Turn a msgpack (or JSON) message body on stdin into JSON (for nats --translate)')
    .addHelpText('after', examples(["nats sub 'ps.evt.>' --translate 'peoplesync decode'"]))
    .action(act(outcome, async () => (await import('./commands/decode.ts')).runDecode));

  const settings = program.command('settings').description('Read or store the workspace settings');
  settings
    .command('get')
    .description('Print the stored settings (the settings alone, so that get > file, edit, save file round-trips)')
    .addHelpText('after', examples(['peoplesync settings get > settings.json', 'peoplesync settings get --json --ws acme']))
    .action(act(outcome, async () => (await import('./commands/settings.ts')).runSettingsGet));
  settings
    .command('save')
    .description('Check the settings against both services and store them')
    .argument('<file>', 'settings JSON file, or - for stdin')
    .option('--confirm-stop-bulk', 'stop a running bulk sync whose mappings change')
    .addHelpText(
      'after',
      examples(['peoplesync settings save settings.json', 'peoplesync settings get | jq .sfApiLimit=50000 | peoplesync settings save -']),
    )
    .action(act(outcome, async () => (await import('./commands/settings.ts')).runSettingsSave));

  program
    .command('quota')
    .description('Show the Salesforce API usage indicator of a workspace')
    .addHelpText('after', examples(['peoplesync quota', 'peoplesync quota --ws acme --json']))
    .action(act(outcome, async () => (await import('./commands/quota.ts')).runQuota));

  const errors = program.command('errors').description('Sync errors of a workspace: list, show, count, retry');
  errors
    .command('list')
    .description('List sync errors, newest first (Intercom -> Salesforce unless --all)')
    .option('--all', 'both directions')
    .option('--cause <cause>', 'only this cause')
    .option('--type <type>', 'only this sync type (event, bulk, resync)')
    .option('--since <when>', 'a duration back (30m, 12h, 7d) or an ISO date')
    .option('--limit <n>', 'at most n errors')
    .option('--offset <n>', 'skip the first n')
    .addHelpText('after', examples(['peoplesync errors list --since 1d', 'peoplesync errors list --all --cause validation --json']))
    .action(act(outcome, async () => (await import('./commands/errors.ts')).runErrors('list')));
  errors
    .command('show')
    .description('Show one sync error with its details')
    .argument('<id>', 'the error id (errors list shows it)')
    .action(act(outcome, async () => (await import('./commands/errors.ts')).runErrors('show')));
  errors
    .command('count')
    .description('Count sync errors by cause')
    .action(act(outcome, async () => (await import('./commands/errors.ts')).runErrors('count')));
  errors
    .command('retry')
    .description('Retry sync errors by id, or all of a cause, and wait for the outcome')
    .argument('[ids...]', 'error ids')
    .option('--cause <cause>', 'every error of this cause')
    .option('--no-wait', 'queue the retries and return at once')
    .option('--timeout <seconds>', 'how long to wait for the outcome', '60')
    .addHelpText('after', examples(['peoplesync errors retry 9f2c1e', 'peoplesync errors retry --cause rate_limited --no-wait']))
    .action(act(outcome, async () => (await import('./commands/errors.ts')).runErrors('retry')));

  program
    .command('resync')
    .description('Sync one person now (class interactive) and wait for the outcome of each write')
    .argument('<person>', 'email, Salesforce Lead/Contact Id or Intercom contact id')
    .option('--no-wait', 'queue the resync and return at once')
    .option('--timeout <seconds>', 'how long to wait for the outcome', '60')
    .addHelpText(
      'after',
      examples([
        'peoplesync resync ada@example.com',
        'peoplesync resync 00Q5g00000AbCdEFGH --json',
        'peoplesync resync ada@example.com --no-wait',
      ]),
    )
    .action(act(outcome, async () => (await import('./commands/resync.ts')).runResync));

  program
    .command('history')
    .description('Changes synced for one person, newest first')
    .argument('<person>', 'email, Salesforce Lead/Contact Id or Intercom contact id')
    .option('--limit <n>', 'at most n changes (1-1000)', '100')
    .addHelpText('after', examples(['peoplesync history ada@example.com --limit 20']))
    .action(act(outcome, async () => (await import('./commands/history.ts')).runHistory));

  const credentials = program.command('credentials').description("What an operator's entry in console.operators holds");
  credentials
    .command('password')
    .description('Read a password on stdin (at least 12 characters) and print its passwordHash')
    .addHelpText('after', examples(['printf \'%s\' "$PASSWORD" | peoplesync credentials password']))
    .action(act(outcome, async () => (await import('./commands/credentials.ts')).runCredentials('password')));
  credentials
    .command('token')
    .description('Make a new API token and print it with its tokenHash')
    .action(act(outcome, async () => (await import('./commands/credentials.ts')).runCredentials('token')));

  const dlq = program.command('dlq').description('Dead letters (messages that could not be processed), for operators');
  const filters = (c: Command) =>
    c
      .option('--reason <reason>', 'only letters with this reason (e.g. permanent_error, max_deliveries, undecodable)')
      .option('--stage <stage>', 'only letters from this stage (scan, match, map, write, ...)')
      .option('--type <type>', 'only letters of this message type')
      .option('--run <id>', "only a bulk run's letters")
      .option('--all', 'every matching letter, read page by page');
  filters(
    dlq
      .command('list')
      .description('List dead letters, oldest first, a page at a time')
      .option('--limit <n>', 'at most n letters (default 100)')
      .option('--after <seq>', 'the page after this sequence (what "More:" names)'),
  )
    .addHelpText('after', examples(['peoplesync dlq list --reason permanent_error', 'peoplesync dlq list --all --json']))
    .action(act(outcome, async () => (await import('./commands/dlq.ts')).runDlq('list')));
  filters(
    dlq
      .command('replay')
      .description('Replay dead letters by sequence number, or every matching one with --all (after fixing their cause)')
      .argument('[seq...]', 'sequence numbers (dlq list shows them)'),
  )
    .addHelpText('after', examples(['peoplesync dlq replay 12 13', 'peoplesync dlq replay --all --run <id>']))
    .action(act(outcome, async () => (await import('./commands/dlq.ts')).runDlq('replay')));

  const bulk = program.command('bulk').description('The manual bulk sync: start, stop, status, history');
  bulk
    .command('start')
    .description('Start a bulk sync and follow it to its end with a progress bar')
    .option('--dry-run', 'compare and count, write nothing')
    .option('--detach', 'print the new run and return at once')
    .option('--by <name>', 'who started it (default $USER)')
    .addHelpText('after', examples(['peoplesync bulk start', 'peoplesync bulk start --dry-run --json', 'peoplesync bulk start --detach']))
    .action(act(outcome, async () => (await import('./commands/bulk.ts')).runBulk('start')));
  bulk
    .command('stop')
    .description('Stop the active bulk sync')
    .option('--by <name>', 'who stopped it (default $USER)')
    .action(act(outcome, async () => (await import('./commands/bulk.ts')).runBulk('stop')));
  bulk
    .command('status')
    .description('The latest bulk run (exit 1 when it stopped or failed)')
    .option('--watch', 'follow an active run to its end')
    .action(act(outcome, async () => (await import('./commands/bulk.ts')).runBulk('status')));
  bulk
    .command('history')
    .description('Past bulk runs, newest first')
    .option('--limit <n>', 'at most n runs (1-500)', '20')
    .action(act(outcome, async () => (await import('./commands/bulk.ts')).runBulk('history')));

  dataOptions(
    program
      .command('sandbox')
      .description('Run the Salesforce and Intercom sandboxes and an SMTP sink until Ctrl-C')
      .addHelpText(
        'after',
        examples(['peoplesync sandbox --people 5000 --sf-port 8081 --ic-port 8082', 'peoplesync sandbox --data people.ndjson --dump out/']),
      ),
  ).action(act(outcome, async () => (await import('./commands/sandbox.ts')).runSandbox));

  dataOptions(
    program
      .command('demo')
      .description('Everything in one process: NATS, both sandboxes, an SMTP sink and every actor; runs a bulk sync and prints its summary')
      .option('--nats <url>', 'use this NATS server (nats.conf worker user) instead of starting one')
      .option('--port <port>', 'console (HTTP) port (0: any free port)', '0')
      .option('--log-file <file>', 'where the workers log (default: a file in the temporary directory)')
      .option('--log-level <level>', 'log level of the log file', 'info')
      .option('--dry-run', 'compare and count, write nothing')
      .option('--keep', 'keep everything running after the run, until Ctrl-C')
      .addHelpText(
        'after',
        examples([
          'peoplesync demo --people 1000',
          'peoplesync demo --port 8080 --keep',
          'peoplesync demo --nats nats://127.0.0.1:4222 --ws trial',
        ]),
      ),
  ).action(act(outcome, async () => (await import('./commands/demo.ts')).runDemo));

  program
    .command('help [command...]', { isDefault: false })
    .description("A command's help: peoplesync help bulk, peoplesync help bulk start")
    .action((names: string[]) => {
      let c: Command = program;
      for (const n of names) {
        const sub = c.commands.find((x) => x.name() === n || x.aliases().includes(n));
        if (!sub) program.error(`unknown command "${names.join(' ')}"`, { exitCode: 2, code: 'peoplesync.unknownCommand' });
        else c = sub;
      }
      c.outputHelp();
    });
  return program;
}
