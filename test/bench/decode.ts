// How long `peoplesync decode` takes per message, as `nats ... --translate` runs it (one process
// per message, body on stdin), beside a bare `node -e 0` in the same run.
//   npx tsx test/bench/decode.ts [--runs 30]
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { REPO_ROOT } from '../../cli/local-nats.ts';
import { encodeBody } from '../../protocol/index.ts';

const args = process.argv.slice(2);
const RUNS = Number(args[args.indexOf('--runs') + 1] || 30) || 30;
const BIN = join(REPO_ROOT, 'cli', 'bin.mjs');

const records = Array.from({ length: 200 }, (_, i) => ({
  Id: `00Q${String(i).padStart(15, '0')}`,
  SystemModstamp: '2024-01-01T00:00:00.000+0000',
  Email: `person${i}@example.com`,
  FirstName: 'Ada',
  LastName: 'Lovelace',
}));
const bodies = {
  'progress event (msgpack)': encodeBody({ runId: 'r1', status: 'running', counts: { scanned: 1200 } }, 'msgpack'),
  '200-record batch (msgpack, 20 KB)': encodeBody({ batchId: 'b', object: 'Lead', records }, 'msgpack'),
};

function timeOf(cmd: string, argv: string[], input: Uint8Array): number[] {
  const out: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const t = process.hrtime.bigint();
    const r = spawnSync(cmd, argv, { input, stdio: ['pipe', 'ignore', 'inherit'] });
    if (r.status !== 0) throw new Error(`${cmd} ${argv.join(' ')} exited with ${r.status}`);
    out.push(Number(process.hrtime.bigint() - t) / 1e6);
  }
  return out.sort((a, b) => a - b);
}

const q = (xs: number[], p: number) => xs[Math.min(xs.length - 1, Math.floor(p * xs.length))].toFixed(0);
console.log(`${RUNS} runs each, one process per message; ms median / p90`);
const bare = timeOf(process.execPath, ['-e', '0'], new Uint8Array());
console.log(`  node -e 0 (start-up alone)            ${q(bare, 0.5)} / ${q(bare, 0.9)}`);
for (const [name, body] of Object.entries(bodies)) {
  const t = timeOf(BIN, ['decode'], body);
  console.log(`  cli/bin.mjs decode, ${name.padEnd(34)} ${q(t, 0.5)} / ${q(t, 0.9)}`);
}
