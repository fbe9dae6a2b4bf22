import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import { OperationalError, UserError } from '../src/core/errors.js';
import { runCommand, say } from './run-command.js';

/** Debian packages the lab needs on the machine that runs it, with the command that proves each. */
export const LAB_PREREQUISITES = [
  { pkg: 'debootstrap', command: 'debootstrap' },
  { pkg: 'systemd-container', command: 'systemd-nspawn' },
  { pkg: 'openssh-server', command: 'sshd' },
  { pkg: 'openssh-client', command: 'ssh-keygen' },
  { pkg: 'dpkg-dev', command: 'dpkg-scanpackages' },
  { pkg: 'gcc', command: 'gcc' },
  { pkg: 'libc6-dev', command: undefined },
  { pkg: 'util-linux', command: 'nsenter' },
] as const;

/**
 * Kernel limits every lab host draws on: all hosts run as the machine's root, so their systemd and
 * journald share root's inotify instances (the default of 128 runs out near 25 hosts, and systemd then
 * hangs at boot with "Failed to create inotify object: Too many open files").
 */
const KERNEL_MINIMUMS = [
  { file: '/proc/sys/fs/inotify/max_user_instances', min: 8192 },
  { file: '/proc/sys/fs/inotify/max_user_watches', min: 524288 },
] as const;

/** Raises the kernel limits above to their minimum (until the machine reboots); never lowers them. */
function ensureKernelLimits(): void {
  for (const { file, min } of KERNEL_MINIMUMS) {
    const cur = Number(fs.readFileSync(file, 'utf8').trim());
    if (cur >= min) continue;
    try {
      fs.writeFileSync(file, `${min}\n`);
      say(`raised ${file.replace('/proc/sys/', '').replaceAll('/', '.')} from ${cur} to ${min}`);
    } catch (e) {
      say(`cannot raise ${file} from ${cur} (${(e as Error).message}); large labs may hang at boot`);
    }
  }
}

/** True when this process runs as root. */
export function isRoot(): boolean {
  return process.getuid?.() === 0;
}

/** The prerequisites dpkg does not list as installed (one dpkg-query for all: it is slow under load). */
function missingPackages(): string[] {
  const pkgs = LAB_PREREQUISITES.map((p) => p.pkg);
  const q = spawnSync('dpkg-query', ['-W', '-f=${Package} ${Status}\n', ...pkgs], { encoding: 'utf8' });
  const installed = new Set(
    (q.stdout ?? '')
      .split('\n')
      .filter((l) => l.endsWith('install ok installed'))
      .map((l) => l.split(' ')[0]!.split(':')[0]),
  );
  return pkgs.filter((p) => !installed.has(p));
}

/**
 * Checks that the lab can run here (root, Debian tools) and installs missing Debian packages with apt.
 * Throws UserError when not root, OperationalError when the install fails.
 */
export async function ensurePrerequisites(): Promise<void> {
  if (!isRoot()) {
    throw new UserError(
      'lab-not-root',
      'The lab needs root (namespaces, overlay mounts, debootstrap).',
      'Run it as root, e.g. `sudo npm run lab -- up`.',
    );
  }
  ensureKernelLimits();
  const missing = missingPackages();
  if (missing.length === 0) return;
  say(`installing ${missing.join(' ')} with apt-get`);
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  const lock = ['-o', 'DPkg::Lock::Timeout=300'];
  try {
    await runCommand(['apt-get', ...lock, 'update', '-qq'], { env });
    await runCommand(['apt-get', ...lock, 'install', '-y', '-qq', '--no-install-recommends', ...missing], {
      env,
    });
  } catch (e) {
    throw new OperationalError(
      'lab-prerequisites',
      `Cannot install the lab's prerequisites (${missing.join(', ')}).`,
      'Install them with apt-get, then try again.',
      { cause: e },
    );
  }
}
