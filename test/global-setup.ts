// Before any test: compile the command (incrementally) so that tests which start `peoplesync` run
// the JavaScript that is shipped, built from the sources they test.
import { execFileSync } from 'node:child_process';
import { REPO_ROOT } from '../cli/local-nats.ts';

export default function setup(): void {
  execFileSync('npm', ['run', '--silent', 'build'], { cwd: REPO_ROOT, stdio: 'inherit' });
}
