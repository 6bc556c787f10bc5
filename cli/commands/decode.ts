// `peoplesync decode`: listed and helped here; cli/bin.mjs runs it without the TypeScript loader,
// and both run the one plain-JavaScript implementation in cli/decode.mjs.
import { decodeStdin } from '../decode.mjs';
import type { Command } from './types.ts';

export const decodeCommand: Command = {
  name: 'decode',
  summary: 'Turn a msgpack (or JSON) message body on stdin into JSON (for nats --translate)',
  run: () => decodeStdin(),
};
