#!/usr/bin/env -S node --max-semi-space-size=64
// The `peoplesync` command, run compiled (dist/cli/bin.js). The first line's flag gives V8 a young
// generation four times the default: a worker allocates short-lived messages at a high rate, and
// fewer, larger scavenges cost it about a tenth less CPU (docs/BENCHMARKS.md). `node dist/cli/bin.js`
// skips that line: pass the flag (or NODE_OPTIONS) too.
import { main } from './main.ts';

process.exitCode = await main(process.argv.slice(2));
