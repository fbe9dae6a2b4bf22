import { UserError } from '../errors.js';
import { DISTROS, distroById } from '../inventory/os-families.js';
import type { VersionScheme } from './version-scheme.js';

export { VERSION_SCHEMES, isVersionScheme, type VersionScheme } from './version-scheme.js';

/** A distro release, as a host reports it and as OSV names its ecosystem. */
export interface Ecosystem {
  /** OSV ecosystem string, e.g. `Debian:12`, `Ubuntu:22.04:LTS`, `Alpine:v3.20`, `Rocky Linux:9`. */
  osv: string;
  /** Short host-side id, e.g. `debian:12`, `ubuntu:22.04`, `alpine:3.20`, `rocky:9`. */
  os: string;
  scheme: VersionScheme;
}

/**
 * Maps a host OS id (`debian:12`, `ubuntu:22.04`, `alpine:3.20.3`, `rocky:9.4`) to its ecosystem, from
 * the one OS table (`DISTROS` in `core/inventory/os-families.ts`). Throws a UserError for an OS
 * patchwise cannot match advisories for.
 */
export function ecosystemForOs(os: string): Ecosystem {
  const [id = '', release = ''] = os.toLowerCase().split(':', 2);
  const distro = distroById(id);
  if (!distro?.toOsv || !release) {
    throw new UserError(
      'unsupported-os',
      `The OS "${os}" is not one patchwise can match: expected ID:RELEASE such as debian:12, ubuntu:22.04, alpine:3.20, rocky:9.`,
      `Supported OS ids: ${DISTROS.filter((d) => d.toOsv)
        .map((d) => d.id)
        .join(', ')}.`,
    );
  }
  return { osv: distro.toOsv(release), os: `${distro.id}:${release}`, scheme: distro.scheme };
}

/**
 * Maps an OSV ecosystem string to its version scheme, or undefined for ecosystems whose ordering patchwise
 * does not implement (records for them are counted as unusable, not dropped silently).
 */
export function schemeForOsvEcosystem(osv: string): VersionScheme | undefined {
  const name = osv.split(':', 1)[0] ?? '';
  if (name === 'Red Hat' || name === 'openSUSE' || name === 'SUSE' || name === 'Mageia') return 'rpm';
  return DISTROS.find((d) => d.osvName === name)?.scheme;
}
