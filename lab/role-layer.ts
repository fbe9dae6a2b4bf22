import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { BASE_KEY } from './base-image.js';
import { withFileLock } from './file-lock.js';
import type { LabRole } from './host-layer.js';
import { LAB_CACHE_DIR } from './lab-paths.js';
import { labSourcesHash } from './lab-repo.js';
import { ROLE_SCRIPT } from './roles.js';
import { runCommand, say } from './run-command.js';

const BUILD_SCRIPT = path.join(path.dirname(fileURLToPath(import.meta.url)), 'role-build.sh');

/** Where role layers are cached, shared by every lab on the machine (read-only once built). */
export const LAB_LAYERS_DIR = path.join(LAB_CACHE_DIR, 'layers');

/** Downloads shared by role builds (the .debs stay out of the layers). */
const BUILD_ARCHIVES = path.join(LAB_CACHE_DIR, 'apt-archives');

/**
 * A role layer's cache key: the role plus a hash of what makes it (the base, the install script, the
 * lab repository's sources and versions, the build script), so any change builds a new layer and hosts
 * made from an older one keep theirs.
 */
export function roleLayerKey(role: LabRole): string {
  const hash = createHash('sha256')
    .update(JSON.stringify({ v: 1, base: BASE_KEY, role, ROLE_SCRIPT, repo: labSourcesHash() }))
    .update(fs.readFileSync(BUILD_SCRIPT))
    .digest('hex')
    .slice(0, 12);
  return `${role}-${hash}`;
}

/** The directory of a role layer (an overlay upper layer, used read-only as a lower layer). */
export function roleLayerDir(key: string): string {
  return path.join(LAB_LAYERS_DIR, key);
}

/**
 * Host identity and build leftovers removed from a fresh layer, so the base's (empty) values show
 * through and each host writes its own. Package history (dpkg.log, apt/history.log) stays: a real
 * image built with these packages has it too.
 */
const IDENTITY = [
  'etc/machine-id',
  'etc/hostname',
  'etc/hosts',
  'etc/resolv.conf',
  'var/lib/dbus/machine-id',
  'var/lib/systemd/random-seed',
  'var/lib/lab/provisioned',
  'var/log/journal',
  'var/cache/lab-apt-shared',
  'root/.bash_history',
  'run',
  'tmp',
  'var/tmp',
];

function scrubIdentity(upper: string): void {
  for (const rel of IDENTITY) fs.rmSync(path.join(upper, rel), { recursive: true, force: true });
  const ssh = path.join(upper, 'etc/ssh');
  if (fs.existsSync(ssh)) {
    for (const f of fs.readdirSync(ssh).filter((n) => n.startsWith('ssh_host_')))
      fs.rmSync(path.join(ssh, f), { force: true });
  }
}

async function buildRoleLayer(role: LabRole, key: string, base: string, repo: string): Promise<void> {
  fs.mkdirSync(BUILD_ARCHIVES, { recursive: true });
  const tmp = fs.mkdtempSync(path.join(LAB_LAYERS_DIR, `.build-${key}-`));
  const upper = path.join(tmp, 'upper');
  const t0 = Date.now();
  say(`building the ${role} role layer ${key} (once per machine)`);
  try {
    const machine = `lab-build-${role}-${process.pid}`;
    const argv = [base, upper, path.join(tmp, 'work'), path.join(tmp, 'merged'), machine, repo];
    await runCommand(
      [
        'unshare',
        '--mount',
        '--propagation',
        'private',
        'bash',
        BUILD_SCRIPT,
        ...argv,
        BUILD_ARCHIVES,
        role,
        ROLE_SCRIPT,
      ],
      { timeoutMs: 1_200_000 },
    );
    scrubIdentity(upper);
    fs.renameSync(upper, roleLayerDir(key));
    say(`${role} role layer built in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}

/**
 * Makes sure the role layer `key` of `role` exists, building it once on top of the extracted `base`
 * with the lab repository `repo`. A file lock per layer keeps parallel `up` calls from building it
 * twice: the second one waits and finds it built.
 */
export async function ensureRoleLayer(
  role: LabRole,
  key: string,
  base: string,
  repo: string,
): Promise<string> {
  const dir = roleLayerDir(key);
  if (fs.existsSync(dir)) return dir;
  fs.mkdirSync(LAB_LAYERS_DIR, { recursive: true });
  await withFileLock(`${dir}.lock`, `the ${role} role layer`, async () => {
    if (!fs.existsSync(dir)) await buildRoleLayer(role, key, base, repo);
  });
  return dir;
}
