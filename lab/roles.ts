import type { Host } from '../src/core/inventory/host.js';
import type { LabHost, LabRole } from './host-layer.js';
import { LAB_BASELINE } from './lab-packages.js';

/** Units masked in every role layer (see {@link ROLE_SCRIPT}). */
const BOOT_MASKED = ['dev-hugepages.mount', 'sys-fs-fuse-connections.mount', 'systemd-journal-flush.service'];

/**
 * Installs a role into a role layer, once per machine (see role-layer.ts): runs in a container made of
 * the base plus the empty layer, not booted, sharing the machine's network to reach the mirror. The lab
 * baseline comes from the lab repo, the role's real servers from bookworm, with a policy-rc.d that
 * keeps every server from starting (all hosts share the machine's network; nothing may bind 0.0.0.0).
 * Only the lab repo's index is refreshed, so the base's bookworm-security fixes stay pending, and
 * nothing host-specific is written: each host gets its addresses from {@link roleHostFiles}.
 * Argument: $1 role.
 */
export const ROLE_SCRIPT = `set -eu
role=$1
export DEBIAN_FRONTEND=noninteractive
shared=/var/cache/lab-apt-shared archives=/var/cache/apt/archives
# Downloads are shared between builds through the lab's cache: seed from it, install, give back what
# was new.
apt_get() {
  cp -n "$shared"/*.deb "$archives"/ 2>/dev/null || true
  rc=0
  apt-get -o DPkg::Lock::Timeout=300 -o Dpkg::Options::=--force-confold -y -qq "$@" || rc=$?
  for f in "$archives"/*.deb; do
    [ -e "$f" ] && [ ! -e "$shared/\${f##*/}" ] && cp "$f" "$shared/.\${f##*/}.$$" && mv "$shared/.\${f##*/}.$$" "$shared/\${f##*/}"
  done
  return $rc
}
printf '#!/bin/sh\\nexit 101\\n' > /usr/sbin/policy-rc.d; chmod 755 /usr/sbin/policy-rc.d
apt-get -qq update -o Dir::Etc::SourceList=/etc/apt/sources.list.d/lab.list -o Dir::Etc::SourceParts=- -o APT::Get::List-Cleanup=0
apt_get install ${LAB_BASELINE.join(' ')} >/dev/null
case "$role" in
web)
  apt_get install --no-install-recommends nginx lab-web=1.0-1 >/dev/null
  rm -f /etc/nginx/sites-enabled/default
  units="nginx lab-web" ;;
db)
  apt_get install --no-install-recommends redis-server >/dev/null
  units="redis-server" ;;
*) units="" ;;
esac
rm -f /usr/sbin/policy-rc.d
for u in $units lab-worker; do systemctl enable --quiet "$u"; done
# Boot work a container cannot use (hugepages, fuse control) or that does nothing with the volatile
# journal: less CPU per boot when many hosts boot at once.
systemctl mask --quiet ${BOOT_MASKED.join(' ')}
apt-get clean
`;

/** A file a host of a role gets in its own layer at creation: what depends on its address. */
export interface HostFile {
  path: string;
  text: string;
}

/**
 * The role's host-specific files: the servers bound to the host's own address (nginx `conf.d/lab.conf`,
 * a redis-server drop-in with `--bind`). lab-web and lab-worker read /etc/lab/host.env.
 */
export function roleHostFiles(role: LabRole, address: string): HostFile[] {
  if (role === 'web') {
    const conf = [
      'server {',
      `  listen ${address}:80 default_server;`,
      '  root /var/www/html;',
      '  index index.nginx-debian.html;',
      '  location / { try_files $uri $uri/ =404; }',
      '}',
      '',
    ];
    return [{ path: 'etc/nginx/conf.d/lab.conf', text: conf.join('\n') }];
  }
  if (role === 'db') {
    const exec = `/usr/bin/redis-server /etc/redis/redis.conf --supervised systemd --daemonize no --bind ${address}`;
    return [
      {
        path: 'etc/systemd/system/redis-server.service.d/lab.conf',
        text: `[Service]\nExecStart=\nExecStart=${exec}\n`,
      },
    ];
  }
  return [];
}

/** How a role looks in the patchwise inventory; the fleet varies them so it resembles an estate. */
export function inventoryFor(host: LabHost): Omit<Host, 'name'> {
  const ssh = { host: host.address, user: 'root', port: 22 };
  const base = {
    connection: { ssh },
    os: 'debian:12',
    provider: { name: 'lab', id: host.name },
    tags: { role: host.role },
  };
  const worker = { name: 'lab-worker', unit: 'lab-worker.service' };
  const byRole: Record<LabRole, Omit<Host, 'name'>> = {
    web: {
      ...base,
      tier: 1,
      exposure: 'internet',
      environment: 'production',
      owner: 'team-web',
      services: [
        { name: 'lab-web', unit: 'lab-web.service', http: `http://${host.address}:8080/health` },
        { name: 'nginx', unit: 'nginx.service', http: `http://${host.address}/` },
        worker,
      ],
    },
    db: {
      ...base,
      tier: 1,
      exposure: 'internal',
      environment: 'production',
      owner: 'team-data',
      services: [{ name: 'redis', unit: 'redis-server.service', tcp: `${host.address}:6379` }, worker],
    },
    plain:
      host.index % 4 === 0
        ? {
            ...base,
            tier: 4,
            exposure: 'isolated',
            environment: 'archive',
            owner: 'team-platform',
            services: [worker],
          }
        : {
            ...base,
            tier: 3,
            exposure: 'internal',
            environment: 'development',
            owner: 'team-platform',
            services: [worker],
          },
  };
  return byRole[host.role];
}
