import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { HostPaths } from './lab-paths.js';
import { roleHostFiles } from './roles.js';
import { runCommand } from './run-command.js';

/** A lab host as the fleet file records it. */
export interface LabHost {
  name: string;
  /** N of 127.0.1.N */
  index: number;
  address: string;
  role: LabRole;
  /** The base (cache key) its lowest layer is. */
  base: string;
  /**
   * The cached role layer (key) between the base and the host's own layer. Absent for hosts made
   * before role layers existed, which were provisioned at first boot on the bare base.
   */
  layer?: string;
}

/** What a host runs: `web` nginx + lab-web, `db` redis-server, `plain` only the lab baseline. */
export const LAB_ROLES = ['web', 'db', 'plain'] as const;
export type LabRole = (typeof LAB_ROLES)[number];
/** True when `v` is one of {@link LAB_ROLES}. */
export function isLabRole(v: unknown): v is LabRole {
  return (LAB_ROLES as readonly unknown[]).includes(v);
}

/**
 * Creates `rel` (and its parents) in the upper layer with the owner and mode the lower layers (top
 * first) give them.
 */
function upperDir(upper: string, lowers: readonly string[], rel: string): string {
  let cur = '';
  for (const part of rel.split('/').filter(Boolean)) {
    cur = path.join(cur, part);
    const dest = path.join(upper, cur);
    if (fs.existsSync(dest)) continue;
    const st = lowers
      .map((l) => fs.statSync(path.join(l, cur), { throwIfNoEntry: false }))
      .find((x) => x !== undefined);
    fs.mkdirSync(dest, { mode: st ? st.mode & 0o7777 : 0o755 });
    fs.chmodSync(dest, st ? st.mode & 0o7777 : 0o755);
    if (st) fs.chownSync(dest, st.uid, st.gid);
  }
  return path.join(upper, rel);
}

function writeUpper(upper: string, lowers: readonly string[], rel: string, text: string, mode = 0o644): void {
  const dest = path.join(upperDir(upper, lowers, path.dirname(rel)), path.basename(rel));
  fs.writeFileSync(dest, text, { mode });
  fs.chmodSync(dest, mode);
}

function sshdConfig(address: string): string {
  return [
    '# written by the patchwise lab: this host answers only on its own address, with the lab key',
    `ListenAddress ${address}:22`,
    'HostKey /etc/ssh/ssh_host_ed25519_key',
    'PermitRootLogin prohibit-password',
    'PasswordAuthentication no',
    'KbdInteractiveAuthentication no',
    'UseDNS no',
    '',
  ].join('\n');
}

/**
 * Writes a new host's identity into its (empty) upper layer before its first boot: hostname, hosts,
 * machine-id, its own ed25519 host key, sshd bound to its address, the lab's key for root,
 * /etc/lab/host.env for the lab services, its role's servers bound to its address, and the
 * provisioning mark. `lowers` are the layers under it, top first (role layer, base). Returns the
 * host's public host key line for known_hosts.
 */
export async function prepareHostLayer(
  p: HostPaths,
  lowers: readonly string[],
  host: LabHost,
  authorizedKey: string,
): Promise<string> {
  fs.mkdirSync(p.upper, { recursive: true });
  const w = (rel: string, text: string, mode?: number) => writeUpper(p.upper, lowers, rel, text, mode);
  w('etc/hostname', `${host.name}\n`);
  w(
    'etc/hosts',
    `127.0.0.1\tlocalhost\n${host.address}\t${host.name}\n::1\tlocalhost ip6-localhost ip6-loopback\n`,
  );
  w('etc/machine-id', `${randomBytes(16).toString('hex')}\n`, 0o444);
  w('etc/ssh/sshd_config.d/lab.conf', sshdConfig(host.address));
  w('etc/lab/host.env', `LAB_HOST=${host.name}\nLAB_ADDRESS=${host.address}\nLAB_ROLE=${host.role}\n`);
  w('root/.ssh/authorized_keys', authorizedKey.trim() + '\n', 0o600);
  for (const f of roleHostFiles(host.role, host.address)) w(f.path, f.text);
  w('var/lib/lab/provisioned', `${new Date().toISOString().replace(/\.\d+Z$/, 'Z')}\n`);
  // The root is an overlay nspawn has mounted already; remounting it per /etc/fstab only fails.
  fs.symlinkSync(
    '/dev/null',
    path.join(upperDir(p.upper, lowers, 'etc/systemd/system'), 'systemd-remount-fs.service'),
  );
  const key = path.join(upperDir(p.upper, lowers, 'etc/ssh'), 'ssh_host_ed25519_key');
  await runCommand(['ssh-keygen', '-q', '-t', 'ed25519', '-N', '', '-C', `root@${host.name}`, '-f', key]);
  const pub = fs.readFileSync(`${key}.pub`, 'utf8').trim().split(/\s+/);
  return `${host.address} ${pub[0]} ${pub[1]}`;
}
