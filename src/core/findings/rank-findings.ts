import type { Finding } from './finding.js';

/**
 * Orders findings from most to least pressing: known-exploited (KEV) first, then by EPSS score, then by
 * CVSS base score, then by distro urgency; a missing value sorts after every present one. Ties fall back
 * to a fix being available, then host, package and vulnerability id, so the order is deterministic.
 * Returns a new array; the input is not changed.
 */
export function rankFindings(findings: readonly Finding[]): Finding[] {
  return [...findings].sort(compareFindings);
}

/** The comparator behind {@link rankFindings}: negative when `a` is more pressing than `b`. */
export function compareFindings(a: Finding, b: Finding): number {
  return (
    Number(Boolean(b.kev)) - Number(Boolean(a.kev)) ||
    (b.epss?.score ?? -1) - (a.epss?.score ?? -1) ||
    (b.cvss?.score ?? -1) - (a.cvss?.score ?? -1) ||
    urgencyRank(b.urgency) - urgencyRank(a.urgency) ||
    Number(b.fixedVersion !== null) - Number(a.fixedVersion !== null) ||
    cmp(a.host, b.host) ||
    cmp(a.package, b.package) ||
    cmp(a.vulnId, b.vulnId)
  );
}

/**
 * What ranking reads of a finding, apart from its host: built once per shared finding so fleets compare
 * without materializing findings. {@link compareRankKeys} orders these as {@link compareFindings} orders
 * findings of one host.
 */
export interface RankKey {
  kev: boolean;
  epss: number;
  cvss: number;
  urgency: number;
  fixed: boolean;
  package: string;
  vulnId: string;
}

/** The {@link RankKey} of a finding. */
export function rankKeyOf(f: Finding): RankKey {
  return {
    kev: Boolean(f.kev),
    epss: f.epss?.score ?? -1,
    cvss: f.cvss?.score ?? -1,
    urgency: urgencyRank(f.urgency),
    fixed: f.fixedVersion !== null,
    package: f.package,
    vulnId: f.vulnId,
  };
}

/**
 * {@link compareFindings} on rank keys: hosts `ha` and `hb` break ties between the urgency facts and the
 * package (pass the same host, or none, within one host).
 */
export function compareRankKeys(a: RankKey, b: RankKey, ha = '', hb = ''): number {
  return (
    Number(b.kev) - Number(a.kev) ||
    b.epss - a.epss ||
    b.cvss - a.cvss ||
    b.urgency - a.urgency ||
    Number(b.fixed) - Number(a.fixed) ||
    cmp(ha, hb) ||
    cmp(a.package, b.package) ||
    cmp(a.vulnId, b.vulnId)
  );
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Distro urgencies from least to most urgent; unknown words rank with `not yet assigned`. */
export const URGENCIES = [
  'unimportant',
  'low',
  'not yet assigned',
  'medium',
  'high',
  'critical',
  'emergency',
] as const;
export type Urgency = (typeof URGENCIES)[number];

/** Rank of a distro urgency (`high`, `low**`, `Medium`): higher is more urgent; -1 when there is none. */
export function urgencyRank(u: string | undefined): number {
  if (!u) return -1;
  const word = u.toLowerCase().replace(/\*/g, '').trim();
  const i = (URGENCIES as readonly string[]).indexOf(word === 'negligible' ? 'unimportant' : word);
  return i >= 0 ? i : URGENCIES.indexOf('not yet assigned');
}
