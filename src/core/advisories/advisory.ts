/**
 * The advisory records every feed parser produces and the matcher consumes. One record per
 * (vulnerability, ecosystem, package): the shape of an OSV `affected[]` entry, flattened.
 */

/** One event of an OSV range, in the order the record lists them. */
export type RangeEvent =
  { introduced: string } | { fixed: string } | { last_affected: string } | { limit: string };

/** A CVSS vector with the version it is written in. */
export interface SeverityVector {
  type: 'CVSS_V2' | 'CVSS_V3' | 'CVSS_V4' | 'Ubuntu' | string;
  score: string;
}

/** One package's exposure to one vulnerability in one ecosystem. */
export interface AffectedPackage {
  /** The feed that produced this record, e.g. `osv:Debian:12` or `debian-tracker:bookworm`. */
  source: string;
  /** The advisory's own id (`DEBIAN-CVE-2023-44487`, `CVE-2023-44487`, `ALSA-2024:1234`). */
  vulnId: string;
  /** Other ids of the same vulnerability; CVE ids among them are used for KEV and EPSS. */
  aliases: string[];
  /** OSV ecosystem, e.g. `Debian:12`. */
  ecosystem: string;
  /** Package name as the ecosystem names it; SOURCE package for Debian and Ubuntu. */
  package: string;
  /** ECOSYSTEM-type ranges only (other types do not apply to distro packages). */
  ranges: RangeEvent[][];
  /** Explicitly listed affected versions. */
  versions: string[];
  severity: SeverityVector[];
  /** Distro urgency or severity as the distro writes it (`low`, `medium`, `high`, `not yet assigned`, ...). */
  urgency?: string;
  summary?: string;
  published?: string;
  modified?: string;
}

/** The CVE ids of an advisory: its own id when it is a CVE, its aliases, and a `DEBIAN-CVE-…` style suffix. */
export function cveIds(a: Pick<AffectedPackage, 'vulnId' | 'aliases'>): string[] {
  const out = new Set<string>();
  for (const id of [a.vulnId, ...a.aliases]) {
    const m = /(CVE-\d{4}-\d{4,})/.exec(id);
    if (m?.[1]) out.add(m[1]);
  }
  return [...out];
}
