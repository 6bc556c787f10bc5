#!/usr/bin/env -S node --max-semi-space-size=64
// The `peoplesync` command, run compiled (dist/cli/bin.js). The first line's flag gives V8 a young
// generation four times the default: a worker allocates short-lived messages at a high rate, and
// fewer, larger scavenges cost it about a tenth less CPU (docs/BENCHMARKS.md). `node dist/cli/bin.js`
// skips that line: pass the flag (or NODE_OPTIONS) too.
const argv = process.argv.slice(2);
if (argv.length === 1 && argv[0] === 'decode') {
  // `nats sub ... --translate 'peoplesync decode'` starts one process a message: the bare command
  // goes straight to the decoder, without loading the parser (about 30 ms of start-up).
  const { runDecode } = await import('./commands/decode.ts');
  try {
    process.exitCode = await runDecode();
  } catch (err) {
    process.stderr.write(`peoplesync decode: ${(err as Error).message}\n`);
    process.exitCode = 1;
  }
} else {
  const { main } = await import('./main.ts');
  process.exitCode = await main(argv);
}
