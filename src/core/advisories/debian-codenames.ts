import type { EolRelease } from '../intel/eol.js';

/** Debian release numbers by codename, for when no distro-info table has been imported yet. */
const BUILT_IN: Record<string, string> = {
  buzz: '1.1',
  rex: '1.2',
  bo: '1.3',
  hamm: '2.0',
  slink: '2.1',
  potato: '2.2',
  woody: '3.0',
  sarge: '3.1',
  etch: '4.0',
  lenny: '5.0',
  squeeze: '6.0',
  wheezy: '7',
  jessie: '8',
  stretch: '9',
  buster: '10',
  bullseye: '11',
  bookworm: '12',
  trixie: '13',
  forky: '14',
  duke: '15',
};

/**
 * The OSV ecosystem (`Debian:12`) of a Debian codename, from the imported release table when it knows the
 * codename, else from the built-in list. Undefined for releases without a number (sid, experimental).
 */
export function debianEcosystemForCodename(
  codename: string,
  releases: readonly EolRelease[] = [],
): string | undefined {
  const fromTable = releases.find((r) => r.distro === 'debian' && r.series === codename)?.version;
  const version = fromTable || BUILT_IN[codename];
  return version ? `Debian:${version}` : undefined;
}
