// Publishes poison to a work subject at a steady rate from a process of its own (so a blocked
// worker cannot slow the flood down), until stdin closes or SIGTERM; prints how many it sent.
// Every tenth message is a 6.5 MB body, the others 1 MB of nested arrays:
//   node poison-flooder.mjs <url> <user> <pass> <subject> <type> <run> <perSecond>
import { connect, headers } from 'nats';

const [url, user, pass, subject, type, run, perSecond] = process.argv.slice(2);
const nc = await connect({ servers: url, user, pass, name: 'poison-flooder' });
const deep = new Uint8Array(1_000_000).fill(0x91);
deep.set([0x81, 0xa7, ...new TextEncoder().encode('records')], 0);
deep[deep.length - 1] = 0xc0;
const huge = new Uint8Array(6_500_000);
const h = headers();
h.set('ps-type', type);
h.set('content-type', 'application/msgpack');
h.set('ps-run', run);
let sent = 0;
const timer = setInterval(
  () => {
    nc.publish(subject, sent % 10 === 9 ? huge : deep, { headers: h });
    sent++;
  },
  Math.round(1000 / Number(perSecond)),
);
const stop = async () => {
  clearInterval(timer);
  await nc.drain();
  process.stdout.write(`${sent}\n`);
  process.exit(0);
};
process.on('SIGTERM', () => void stop());
process.stdin.on('close', () => void stop());
process.stdin.resume();
