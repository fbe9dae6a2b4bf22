import { UserError } from '../errors.js';

/** The version orderings patchwise knows exactly. */
export const VERSION_SCHEMES = ['debian', 'rpm', 'alpine'] as const;
export type VersionScheme = (typeof VERSION_SCHEMES)[number];
export function isVersionScheme(s: string): s is VersionScheme {
  return (VERSION_SCHEMES as readonly string[]).includes(s);
}

/** A distro release, as a host reports it and as OSV names its ecosystem. */
export interface Ecosystem {
  /** OSV ecosystem string, e.g. `Debian:12`, `Ubuntu:22.04:LTS`, `Alpine:v3.20`, `Rocky Linux:9`. */
  osv: string;
  /** Short host-side id, e.g. `debian:12`, `ubuntu:22.04`, `alpine:3.20`, `rocky:9`. */
  os: string;
  scheme: VersionScheme;
}

interface Family {
  /** os-release ID */
  id: string;
  /** OSV ecosystem name prefix */
  osvName: string;
  scheme: VersionScheme;
  toOsv(release: string): string;
  fromOsv(rest: string): string | undefined;
}

const FAMILIES: Family[] = [
  { id: 'debian', osvName: 'Debian', scheme: 'debian', toOsv: (r) => `Debian:${r}`, fromOsv: (r) => r },
  {
    id: 'ubuntu',
    osvName: 'Ubuntu',
    scheme: 'debian',
    // OSV writes `Ubuntu:22.04:LTS` for LTS releases and `Ubuntu:Pro:...` for ESM; even-year April releases are LTS.
    toOsv: (r) =>
      /^\d\d\.04$/.test(r) && Number(r.slice(0, 2)) % 2 === 0 ? `Ubuntu:${r}:LTS` : `Ubuntu:${r}`,
    fromOsv: (r) => {
      const m = /^(?:Pro:(?:FIPS[^:]*:)?)?(\d\d\.\d\d)(?::LTS)?$/.exec(r);
      return m?.[1];
    },
  },
  {
    id: 'alpine',
    osvName: 'Alpine',
    scheme: 'alpine',
    toOsv: (r) => `Alpine:v${r.split('.').slice(0, 2).join('.')}`,
    fromOsv: (r) => r.replace(/^v/, ''),
  },
  {
    id: 'rocky',
    osvName: 'Rocky Linux',
    scheme: 'rpm',
    toOsv: (r) => `Rocky Linux:${major(r)}`,
    fromOsv: (r) => r,
  },
  {
    id: 'almalinux',
    osvName: 'AlmaLinux',
    scheme: 'rpm',
    toOsv: (r) => `AlmaLinux:${major(r)}`,
    fromOsv: (r) => r,
  },
  { id: 'rhel', osvName: 'Red Hat', scheme: 'rpm', toOsv: (r) => `Red Hat:${major(r)}`, fromOsv: (r) => r },
  { id: 'fedora', osvName: 'Fedora', scheme: 'rpm', toOsv: (r) => `Fedora:${r}`, fromOsv: (r) => r },
  { id: 'opensuse', osvName: 'openSUSE', scheme: 'rpm', toOsv: (r) => `openSUSE:${r}`, fromOsv: (r) => r },
  { id: 'sles', osvName: 'SUSE', scheme: 'rpm', toOsv: (r) => `SUSE:${r}`, fromOsv: (r) => r },
];

function major(release: string): string {
  return release.split('.')[0] ?? release;
}

/**
 * Maps a host OS id (`debian:12`, `ubuntu:22.04`, `alpine:3.20.3`, `rocky:9.4`) to its ecosystem.
 * Throws a UserError for an OS patchwise cannot order versions for.
 */
export function ecosystemForOs(os: string): Ecosystem {
  const [id = '', release = ''] = os.toLowerCase().split(':', 2);
  const family = FAMILIES.find((f) => f.id === id || (id === 'alma' && f.id === 'almalinux'));
  if (!family || !release) {
    throw new UserError(
      'unsupported-os',
      `The OS "${os}" is not one patchwise can match: expected ID:RELEASE such as debian:12, ubuntu:22.04, alpine:3.20, rocky:9.`,
      `Supported OS ids: ${FAMILIES.map((f) => f.id).join(', ')}.`,
    );
  }
  return { osv: family.toOsv(release), os: `${family.id}:${release}`, scheme: family.scheme };
}

/**
 * Maps an OSV ecosystem string to its version scheme, or undefined for ecosystems whose ordering patchwise
 * does not implement (records for them are counted as unusable, not dropped silently).
 */
export function schemeForOsvEcosystem(osv: string): VersionScheme | undefined {
  const name = osv.split(':', 1)[0] ?? '';
  if (name === 'Red Hat' || name === 'openSUSE' || name === 'SUSE' || name === 'Mageia') return 'rpm';
  return FAMILIES.find((f) => f.osvName === name)?.scheme;
}
