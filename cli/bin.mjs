#!/usr/bin/env -S node --max-semi-space-size=64
// The `peoplesync` command. TypeScript sources run through tsx's loader, so there is no build step.
// The first line's flag gives V8 a young generation four times the default: a worker allocates
// short-lived messages at a high rate, and fewer, larger scavenges cost it about a tenth less CPU
// (docs/BENCHMARKS.md). `node cli/bin.mjs` skips that line: pass the flag (or NODE_OPTIONS) too.
import { register } from 'tsx/esm/api';

register();
const { main } = await import('./main.ts');
process.exitCode = await main(process.argv.slice(2));
