import { spawnSync } from 'node:child_process';
import { beforeAll } from 'vitest';

/**
 * Makes every test of the calling suite fail, naming `what` and how to get it, when `isMet` says no or
 * throws: a missing tool fails a suite, it never skips it. Call it first in the `describe`, before the
 * suite's own hooks (vitest runs `beforeAll` hooks in order and stops at the first that throws).
 */
export function requirePrerequisite(
  what: string,
  isMet: () => boolean | Promise<boolean>,
  hint: string,
): void {
  beforeAll(async () => {
    let problem: string | undefined;
    try {
      if (!(await isMet())) problem = 'not found';
    } catch (e) {
      problem = (e as Error).message;
    }
    if (problem) throw new Error(`Missing test prerequisite: ${what} (${problem}). ${hint}`);
  }, 900_000);
}

/** The hint for missing Debian packages. */
export function installHint(packages: string): string {
  return (
    `Install it with \`apt-get install --no-install-recommends ${packages}\`, or run \`npm test\` as ` +
    'root, which installs what the tests need (scripts/test-prerequisites.sh).'
  );
}

/** True when `command args` runs and exits 0. */
export function commandSucceeds(command: string, args: string[]): boolean {
  return spawnSync(command, args, { stdio: 'ignore' }).status === 0;
}

/** True when this process runs as root. */
export function isRoot(): boolean {
  return process.getuid?.() === 0;
}
