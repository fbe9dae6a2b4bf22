import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { withFileLock } from './file-lock.js';
import { LAB_CACHE_DIR } from './lab-paths.js';
import { runCommand, say } from './run-command.js';

/** The Debian mirror the base and the hosts use (reachable from the lab machine). */
export const DEBIAN_MIRROR = 'http://deb.debian.org/debian';
const SECURITY_MIRROR = 'http://deb.debian.org/debian-security';

/** Packages added to `debootstrap --variant=minbase`: a booting systemd, sshd, and what scans read. */
const INCLUDE = ['systemd', 'systemd-sysv', 'openssh-server', 'procps', 'iproute2'];

/** Units a lab host does not run: consoles nobody reads, and timers that would grab the dpkg lock. */
const MASKED = [
  'console-getty.service',
  'getty@.service',
  'container-getty@.service',
  'systemd-firstboot.service',
  'apt-daily.timer',
  'apt-daily-upgrade.timer',
  'dpkg-db-backup.timer',
  'e2scrub_all.timer',
  'fstrim.timer',
];

/**
 * Runs inside the fresh root (chroot) once. The base stays on bookworm as debootstrap installed it, so
 * the real bookworm-security and bookworm-updates fixes are pending; their indexes are fetched now so a
 * host can list its pending updates at once. Per-host identity (machine-id, host keys, hostname) is left
 * empty here and written into each host's own layer.
 */
/** tar keeping numeric owners and extended attributes (file capabilities), for the base and its copies. */
const TAR = ['tar', '--numeric-owner', '--xattrs', '--xattrs-include=*'] as const;

const CUSTOMIZE = `set -e
rm -f /etc/ssh/ssh_host_*
: > /etc/machine-id
rm -f /var/lib/dbus/machine-id
echo localhost > /etc/hostname
cat > /etc/apt/sources.list <<'X'
deb ${DEBIAN_MIRROR} bookworm main
deb ${DEBIAN_MIRROR} bookworm-updates main
deb ${SECURITY_MIRROR} bookworm-security main
X
printf 'Acquire::Languages "none";\\n' > /etc/apt/apt.conf.d/80lab
mkdir -p /etc/systemd/journald.conf.d /srv/lab-repo /etc/lab
printf '[Journal]\\nStorage=volatile\\nRuntimeMaxUse=8M\\n' > /etc/systemd/journald.conf.d/lab.conf
systemctl mask ${MASKED.join(' ')} >/dev/null 2>&1
apt-get update -qq
apt-get clean
echo 'deb [trusted=yes] file:/srv/lab-repo ./' > /etc/apt/sources.list.d/lab.list
`;

/** The cache key: changes whenever the recipe above changes, so a changed recipe rebuilds the base. */
export const BASE_KEY = `bookworm-${createHash('sha256')
  .update(JSON.stringify({ v: 1, INCLUDE, CUSTOMIZE }))
  .digest('hex')
  .slice(0, 12)}`;

/** The cached tarball of the base. */
export function baseTarball(): string {
  return path.join(LAB_CACHE_DIR, `base-${BASE_KEY}.tar`);
}

/**
 * Builds the base tarball with debootstrap unless it is cached; returns its path. A file lock keeps
 * parallel `up` calls from running debootstrap twice.
 */
export async function ensureBaseTarball(): Promise<string> {
  const tarball = baseTarball();
  if (fs.existsSync(tarball)) return tarball;
  fs.mkdirSync(LAB_CACHE_DIR, { recursive: true });
  await withFileLock(`${tarball}.lock`, 'the base', async () => {
    if (!fs.existsSync(tarball)) await buildBaseTarball(tarball);
  });
  return tarball;
}

async function buildBaseTarball(tarball: string): Promise<void> {
  const build = fs.mkdtempSync(path.join(LAB_CACHE_DIR, 'build-'));
  const rootfs = path.join(build, 'rootfs');
  const t0 = Date.now();
  try {
    say(`building the base (debootstrap --variant=minbase bookworm, about a minute or two) in ${build}`);
    const debs = path.join(LAB_CACHE_DIR, 'debs');
    fs.mkdirSync(debs, { recursive: true });
    await runCommand([
      'debootstrap',
      '--variant=minbase',
      `--cache-dir=${debs}`,
      `--include=${INCLUDE.join(',')}`,
      'bookworm',
      rootfs,
      DEBIAN_MIRROR,
    ]);
    say('customizing the base');
    await runCommand(['chroot', rootfs, '/bin/sh', '-c', CUSTOMIZE], {
      env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive', LC_ALL: 'C' },
    });
    await runCommand([...TAR, '-C', rootfs, '-cf', `${tarball}.tmp`, '.']);
    fs.renameSync(`${tarball}.tmp`, tarball);
    say(`base cached in ${tarball} (${((Date.now() - t0) / 1000).toFixed(1)} s)`);
  } finally {
    fs.rmSync(build, { recursive: true, force: true });
  }
}

/**
 * Extracts the cached base under `basesDir` once (the shared, read-only lower layer of every host)
 * and returns the directory.
 */
export async function ensureBaseRoot(basesDir: string): Promise<string> {
  const dir = path.join(basesDir, BASE_KEY);
  const done = path.join(basesDir, `${BASE_KEY}.complete`);
  if (fs.existsSync(done)) return dir;
  const tarball = await ensureBaseTarball();
  await withFileLock(`${dir}.lock`, 'the base extraction', async () => {
    if (fs.existsSync(done)) return;
    fs.rmSync(dir, { recursive: true, force: true });
    fs.mkdirSync(dir, { recursive: true });
    say(`extracting the base into ${dir}`);
    await runCommand([...TAR, '-C', dir, '-xpf', tarball]);
    fs.writeFileSync(done, new Date().toISOString() + '\n');
  });
  return dir;
}
