import { spawnSync } from 'node:child_process';
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

/** True when this process runs as root. */
export function isRoot(): boolean {
  return process.getuid?.() === 0;
}

function missingPackages(): string[] {
  return LAB_PREREQUISITES.filter((p) => {
    const q = spawnSync('dpkg-query', ['-W', '-f=${Status}', p.pkg], { encoding: 'utf8' });
    return !q.stdout?.includes('install ok installed');
  }).map((p) => p.pkg);
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
