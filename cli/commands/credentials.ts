// `peoplesync credentials password | token`: what an operator's entry in console.operators holds.
// `password` reads the password from stdin (never from the command line, where `ps` would show it)
// and prints its scrypt hash; `token` makes a new API token and prints it with its hash.
import { hashPassword, hashToken, newToken } from '../../actors/gateway/index.ts';
import { EXIT, UsageError, type Common } from '../args.ts';

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of process.stdin) chunks.push(c as Buffer);
  return Buffer.concat(chunks)
    .toString('utf8')
    .replace(/\r?\n$/, '');
}

export function runCredentials(verb: 'password' | 'token') {
  return async (values: Common): Promise<number> => {
    if (verb === 'password') {
      const password = await readStdin();
      if (password.length < 12) throw new UsageError('the password on stdin must have at least 12 characters');
      const passwordHash = await hashPassword(password);
      process.stdout.write((values.json ? JSON.stringify({ passwordHash }) : passwordHash) + '\n');
      return EXIT.ok;
    }
    const token = newToken();
    const tokenHash = hashToken(token);
    process.stdout.write(
      (values.json
        ? JSON.stringify({ token, tokenHash })
        : `token      ${token}\ntokenHash  ${tokenHash}\n(the token is shown once: keep it; the config holds only its hash)`) + '\n',
    );
    return EXIT.ok;
  };
}
