// The package as people install it: `npm pack`, then an install of the tarball with nothing from
// the internet (the dependencies come from npm's cache, which `npm ci` filled, at the versions of
// package-lock.json), then the installed `peoplesync`: --version, help and a demo run to its end.
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../../cli/local-nats.ts';

const run = promisify(execFile);
let dir: string;
let bin: string;

interface LockEntry {
  version?: string;
  dev?: boolean;
  devOptional?: boolean;
  optional?: boolean;
  [k: string]: unknown;
}

/** The repository's lock without its development packages, with the tarball as the only root
 * dependency: the install gets exactly the versions the repository was tested with. */
async function installProject(tarball: string): Promise<{ manifest: object; lock: object }> {
  const lock = JSON.parse(await readFile(join(REPO_ROOT, 'package-lock.json'), 'utf8')) as { packages: Record<string, LockEntry> };
  const pkg = JSON.parse(await readFile(join(REPO_ROOT, 'package.json'), 'utf8')) as Record<string, unknown>;
  // The repository's overrides, which its lock honours, as an application installing it would set them.
  const root = { name: 'install-check', private: true, dependencies: { peoplesync: `file:${tarball}` }, overrides: pkg.overrides };
  const packages: Record<string, LockEntry> = {
    '': { name: root.name, dependencies: root.dependencies },
    'node_modules/peoplesync': {
      version: pkg.version as string,
      resolved: `file:${tarball}`,
      license: pkg.license,
      dependencies: pkg.dependencies,
      bin: { peoplesync: 'dist/cli/bin.js' },
      engines: pkg.engines,
    },
  };
  for (const [path, entry] of Object.entries(lock.packages)) {
    if (path === '' || entry.dev) continue;
    const { devOptional, ...rest } = entry;
    packages[path] = devOptional ? { ...rest, optional: true } : rest;
  }
  return { manifest: root, lock: { name: root.name, lockfileVersion: 3, requires: true, packages } };
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'ps-install-'));
  // The build ran before the tests (test/global-setup.ts): pack what it made.
  const { stdout } = await run('npm', ['pack', '--ignore-scripts', '--json', '--pack-destination', dir], { cwd: REPO_ROOT });
  const [packed] = JSON.parse(stdout) as { filename: string; files: { path: string }[] }[];
  expect(packed.files.map((f) => f.path).filter((p) => !p.startsWith('dist/'))).toEqual(
    expect.arrayContaining(['package.json', 'README.md', 'nats.conf']),
  );
  expect(packed.files.some((f) => /^(test|actors|cli|runtime)\//.test(f.path) || f.path.endsWith('.ts'))).toBe(false);
  const project = await installProject(packed.filename);
  await writeFile(join(dir, 'package.json'), JSON.stringify(project.manifest, null, 2));
  await writeFile(join(dir, 'package-lock.json'), JSON.stringify(project.lock, null, 2));
  await run('npm', ['ci', '--offline', '--no-audit', '--no-fund'], { cwd: dir, timeout: 120_000 });
  bin = join(dir, 'node_modules', '.bin', 'peoplesync');
}, 180_000);
afterAll(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('the installed package', () => {
  it('has no TypeScript loader among its dependencies', async () => {
    await expect(readFile(join(dir, 'node_modules', 'tsx', 'package.json'))).rejects.toThrow(/ENOENT/);
  });

  it('prints its version and the help of a command', async () => {
    const version = (JSON.parse(await readFile(join(REPO_ROOT, 'package.json'), 'utf8')) as { version: string }).version;
    expect((await run(bin, ['--version'])).stdout).toBe(`${version}\n`);
    const help = (await run(bin, ['help', 'bulk'])).stdout;
    expect(help).toMatch(/^Usage: peoplesync bulk \[options\] \[command\]/);
    expect(help).toMatch(/start \[options\]\s+Start a bulk sync/);
  });

  it('runs a demo of 1,000 people to its end', async () => {
    const r = await run(bin, ['demo', '--people', '1000'], { cwd: dir, timeout: 150_000 });
    expect(r.stdout).toMatch(/^NATS {8}nats:\/\/127\.0\.0\.1:\d+ \(nats-server started with a temporary store\)$/m);
    expect(r.stdout).toMatch(/^Console {5}http:\/\/127\.0\.0\.1:\d+\/ {2}sign in as admin, password \S+/m);
    expect(r.stdout).toMatch(/^Logs {8}\S+peoplesync-demo-demo-[0-9a-f]{6}\.log$/m);
    expect(r.stdout).toMatch(/^status\s+completed$/m);
    expect(r.stdout).toMatch(/^scanned\s+([\d,]+) of \1$/m);
    // The workers log to the file, not among the output.
    expect(r.stdout).not.toMatch(/^\{"level"/m);
  }, 160_000);
});
