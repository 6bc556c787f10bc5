// How long the compiled `peoplesync` takes to start: `help`, and `decode` per message as
// `nats ... --translate` runs it (one process per message, body on stdin), beside a bare
// `node -e 0` in the same run. Targets: help under 300 ms, decode under 100 ms.
//   npm run build && npx tsx test/bench/startup.ts [--runs 30]
import { spawnSync } from 'node:child_process';
import { BIN, binNodeFlags } from '../../cli/bin-flags.ts';
import { encodeBody } from '../../protocol/index.ts';

const args = process.argv.slice(2);
const RUNS = Number(args[args.indexOf('--runs') + 1] || 30) || 30;
const NODE_FLAGS = binNodeFlags();

const records = Array.from({ length: 200 }, (_, i) => ({
  Id: `00Q${String(i).padStart(15, '0')}`,
  SystemModstamp: '2024-01-01T00:00:00.000+0000',
  Email: `person${i}@example.com`,
  FirstName: 'Ada',
  LastName: 'Lovelace',
}));
const cases: Array<[string, string[], Uint8Array]> = [
  ['node -e 0 (start-up alone)', ['-e', '0'], new Uint8Array()],
  ['peoplesync help', [...NODE_FLAGS, BIN, 'help'], new Uint8Array()],
  ['peoplesync --version', [...NODE_FLAGS, BIN, '--version'], new Uint8Array()],
  [
    'peoplesync decode, progress event (msgpack)',
    [...NODE_FLAGS, BIN, 'decode'],
    encodeBody({ runId: 'r1', status: 'running', counts: { scanned: 1200 } }, 'msgpack'),
  ],
  [
    'peoplesync decode, 200-record batch (20 KB)',
    [...NODE_FLAGS, BIN, 'decode'],
    encodeBody({ batchId: 'b', object: 'Lead', records }, 'msgpack'),
  ],
];

function timeOf(argv: string[], input: Uint8Array): number[] {
  const out: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const t = process.hrtime.bigint();
    const r = spawnSync(process.execPath, argv, { input, stdio: ['pipe', 'ignore', 'inherit'] });
    if (r.status !== 0) throw new Error(`node ${argv.join(' ')} exited with ${r.status}`);
    out.push(Number(process.hrtime.bigint() - t) / 1e6);
  }
  return out.sort((a, b) => a - b);
}

const q = (xs: number[], p: number) => xs[Math.min(xs.length - 1, Math.floor(p * xs.length))].toFixed(0);
console.log(`${RUNS} runs each of ${BIN}; ms median / p90`);
for (const [name, argv, input] of cases) {
  const t = timeOf(argv, input);
  console.log(`  ${name.padEnd(46)} ${q(t, 0.5).padStart(4)} / ${q(t, 0.9)}`);
}
