// The installed package's root (where package.json and nats.conf are) and its version, whether this
// runs from the sources or from the compiled dist/. In runtime/ so that both the host (the control
// service's version) and the command line read one package.json.
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

function findRoot(from: string): string {
  for (let dir = from; ; dir = dirname(dir)) {
    try {
      if ((JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { name?: string }).name === 'peoplesync') return dir;
    } catch {
      // no package.json here: look further up
    }
    if (dirname(dir) === dir) throw new Error(`no peoplesync package.json above ${from}`);
  }
}

export const PACKAGE_ROOT = findRoot(import.meta.dirname);

/** The version in package.json. */
export function packageVersion(): string {
  return (JSON.parse(readFileSync(join(PACKAGE_ROOT, 'package.json'), 'utf8')) as { version: string }).version;
}
