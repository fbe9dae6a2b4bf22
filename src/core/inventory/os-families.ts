import type { VersionScheme } from '../versions/version-scheme.js';

/** The OS families patchwise collects from: one collector each. */
export const OS_FAMILIES = ['debian', 'rhel', 'alpine'] as const;
export type OsFamily = (typeof OS_FAMILIES)[number];

/** The package-list formats collectors produce and the store keeps (one per family). */
export const PACKAGE_FORMATS = ['dpkg-query', 'rpm-query', 'apk-installed'] as const;
export type PackageFormat = (typeof PACKAGE_FORMATS)[number];

/** Whether `s` names a {@link PackageFormat}. */
export function isPackageFormat(s: string): s is PackageFormat {
  return (PACKAGE_FORMATS as readonly string[]).includes(s);
}

/** What a family shares: how its versions order and the package list its collector produces. */
export interface OsFamilyInfo {
  scheme: VersionScheme;
  packageFormat: PackageFormat;
}

/** Each family's version scheme and package-list format. */
export const FAMILY_INFO: Readonly<Record<OsFamily, OsFamilyInfo>> = {
  debian: { scheme: 'debian', packageFormat: 'dpkg-query' },
  rhel: { scheme: 'rpm', packageFormat: 'rpm-query' },
  alpine: { scheme: 'alpine', packageFormat: 'apk-installed' },
};

/** One distro as os-release names it and as OSV names its ecosystem. */
export interface Distro {
  /** os-release `ID` (`debian`, `rocky`). */
  id: string;
  /** Other `ID`s that mean the same distro (`alma` for `almalinux`). */
  aliases?: readonly string[];
  /** The family whose collector reads it; absent when patchwise matches its advisories but cannot collect it. */
  family?: OsFamily;
  scheme: VersionScheme;
  /** OSV ecosystem name (the part before the first `:`); absent when OSV has no ecosystem for it. */
  osvName?: string;
  /** The OSV ecosystem of a release (`12` → `Debian:12`); absent when OSV has no ecosystem for it. */
  toOsv?(release: string): string;
}

const major = (release: string) => release.split('.')[0] ?? release;
const plain = (name: string) => (r: string) => `${name}:${r}`;
const byMajor = (name: string) => (r: string) => `${name}:${major(r)}`;

/**
 * The one OS table: which os-release IDs patchwise knows, the family (and so the collector, the version
 * scheme and the stored package format) of each, and how OSV names its ecosystem. Collection and
 * matching both read it.
 */
export const DISTROS: readonly Distro[] = [
  { id: 'debian', family: 'debian', scheme: 'debian', osvName: 'Debian', toOsv: plain('Debian') },
  {
    id: 'ubuntu',
    family: 'debian',
    scheme: 'debian',
    osvName: 'Ubuntu',
    // OSV writes `Ubuntu:22.04:LTS` for LTS releases; even-year April releases are LTS.
    toOsv: (r) =>
      /^\d\d\.04$/.test(r) && Number(r.slice(0, 2)) % 2 === 0 ? `Ubuntu:${r}:LTS` : `Ubuntu:${r}`,
  },
  {
    id: 'alpine',
    family: 'alpine',
    scheme: 'alpine',
    osvName: 'Alpine',
    toOsv: (r) => `Alpine:v${r.split('.').slice(0, 2).join('.')}`,
  },
  { id: 'rocky', family: 'rhel', scheme: 'rpm', osvName: 'Rocky Linux', toOsv: byMajor('Rocky Linux') },
  {
    id: 'almalinux',
    aliases: ['alma'],
    family: 'rhel',
    scheme: 'rpm',
    osvName: 'AlmaLinux',
    toOsv: byMajor('AlmaLinux'),
  },
  { id: 'rhel', family: 'rhel', scheme: 'rpm', osvName: 'Red Hat', toOsv: byMajor('Red Hat') },
  { id: 'fedora', family: 'rhel', scheme: 'rpm', osvName: 'Fedora', toOsv: plain('Fedora') },
  // Collected, but OSV has no ecosystem of their own to match them against.
  { id: 'centos', family: 'rhel', scheme: 'rpm' },
  { id: 'ol', family: 'rhel', scheme: 'rpm' },
  { id: 'opensuse', scheme: 'rpm', osvName: 'openSUSE', toOsv: plain('openSUSE') },
  { id: 'sles', scheme: 'rpm', osvName: 'SUSE', toOsv: plain('SUSE') },
];

/** The distro an os-release `ID` (any case) names, or undefined. */
export function distroById(id: string): Distro | undefined {
  const lower = id.toLowerCase();
  return DISTROS.find((d) => d.id === lower || d.aliases?.includes(lower));
}

/** The family of an os-release: its `ID` first, then each `ID_LIKE` entry; undefined when none is collected. */
export function osFamily(fields: Readonly<Record<string, string>>): OsFamily | undefined {
  for (const id of [fields.ID ?? '', ...(fields.ID_LIKE ?? '').split(/\s+/)]) {
    const family = id ? distroById(id)?.family : undefined;
    if (family) return family;
  }
  return undefined;
}

/** The family of a host OS id (`debian:12` → `debian`), or undefined when patchwise cannot collect it. */
export function familyOfOs(os: string): OsFamily | undefined {
  return distroById(os.split(':', 1)[0] ?? '')?.family;
}
