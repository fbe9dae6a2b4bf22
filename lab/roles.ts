import type { Host } from '../src/core/inventory/host.js';
import type { LabHost, LabRole } from './host-layer.js';
import { LAB_BASELINE } from './lab-packages.js';

/**
 * Provisions a host at its first boot, inside the host: the lab baseline packages from the lab repo,
 * then the role's real servers from bookworm. Servers are installed with a policy-rc.d that keeps them
 * from starting on 0.0.0.0 (every host shares the machine's network), bound to the host's own address,
 * then started. Arguments: $1 role, $2 address.
 */
export const PROVISION_SCRIPT = `set -eu
role=$1 addr=$2
export DEBIAN_FRONTEND=noninteractive
shared=/var/cache/lab-apt-shared archives=/var/cache/apt/archives
# Provisioning shares downloads between hosts through the lab's cache (apt's own archive dir stays per
# host, so apt's lock behaves as on a VM): seed from it, install, give back what was new.
apt_get() {
  cp -n "$shared"/*.deb "$archives"/ 2>/dev/null || true
  rc=0
  apt-get -o DPkg::Lock::Timeout=300 -o Dpkg::Options::=--force-confold -y -qq "$@" || rc=$?
  for f in "$archives"/*.deb; do
    [ -e "$f" ] && [ ! -e "$shared/\${f##*/}" ] && cp "$f" "$shared/.\${f##*/}.$$" && mv "$shared/.\${f##*/}.$$" "$shared/\${f##*/}"
  done
  return $rc
}
apt-get -qq update -o Dir::Etc::SourceList=/etc/apt/sources.list.d/lab.list -o Dir::Etc::SourceParts=- -o APT::Get::List-Cleanup=0
apt_get install ${LAB_BASELINE.join(' ')} >/dev/null
printf '#!/bin/sh\\nexit 101\\n' > /usr/sbin/policy-rc.d; chmod 755 /usr/sbin/policy-rc.d
case "$role" in
web)
  apt_get install --no-install-recommends nginx lab-web=1.0-1 >/dev/null
  rm -f /etc/nginx/sites-enabled/default
  printf 'server {\\n  listen %s:80 default_server;\\n  root /var/www/html;\\n  index index.nginx-debian.html;\\n  location / { try_files $uri $uri/ =404; }\\n}\\n' "$addr" > /etc/nginx/conf.d/lab.conf
  units="nginx lab-web" ;;
db)
  apt_get install --no-install-recommends redis-server >/dev/null
  mkdir -p /etc/systemd/system/redis-server.service.d
  printf '[Service]\\nExecStart=\\nExecStart=/usr/bin/redis-server /etc/redis/redis.conf --supervised systemd --daemonize no --bind %s\\n' "$addr" > /etc/systemd/system/redis-server.service.d/lab.conf
  units="redis-server" ;;
*) units="" ;;
esac
rm -f /usr/sbin/policy-rc.d
systemctl daemon-reload
for u in $units lab-worker; do systemctl enable --quiet "$u"; systemctl restart "$u"; done
# A fresh VM has no reboot pending; the lab-kernel baseline install is not an update.
rm -f /run/reboot-required /run/reboot-required.pkgs
apt-get clean
mkdir -p /var/lib/lab && date -u +%FT%TZ > /var/lib/lab/provisioned
`;

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
