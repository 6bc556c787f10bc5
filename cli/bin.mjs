#!/usr/bin/env -S node --max-semi-space-size=64
// The `peoplesync` command. TypeScript sources run through tsx's loader, so there is no build step.
// The first line's flag gives V8 a young generation four times the default: a worker allocates
// short-lived messages at a high rate, and fewer, larger scavenges cost it about a tenth less CPU
// (docs/BENCHMARKS.md). `node cli/bin.mjs` skips that line: pass the flag (or NODE_OPTIONS) too.
// `decode` runs once per message under `nats ... --translate`: it is plain JavaScript and starts
// without the loader.
if (process.argv[2] === 'decode' && !process.argv.includes('--help') && !process.argv.includes('-h')) {
  const { decodeStdin } = await import('./decode.mjs');
  process.exitCode = await decodeStdin();
} else {
  const { register } = await import('tsx/esm/api');
  register();
  const { main } = await import('./main.ts');
  process.exitCode = await main(process.argv.slice(2));
}
