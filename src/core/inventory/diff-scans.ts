import type { Finding } from '../findings/finding.js';
import type { InstalledPackage } from './host-state.js';

/** One package whose version moved between two scans. */
export interface PackageChange {
  name: string;
  arch?: string;
  from: string;
  to: string;
}

/** What changed in a host's packages between the previous and the latest scan. */
export interface PackageDiff {
  added: InstalledPackage[];
  removed: InstalledPackage[];
  changed: PackageChange[];
}

/** What changed in a host's findings between two scans, as Vuls' diff reports it. */
export interface FindingDiff {
  /** In the previous scan, gone from the latest (patched, or the package removed). */
  fixed: Finding[];
  /** In the latest scan, not in the previous (a new advisory, or a newly installed package). */
  new: Finding[];
}

const pkgKey = (p: InstalledPackage) => `${p.name}\u0000${p.arch ?? ''}`;
const findingKey = (f: Finding) => `${f.host}\u0000${f.vulnId}\u0000${f.package}`;

/** Packages added, removed and changed in version, keyed by name and architecture; sorted by name. */
export function diffPackages(
  previous: readonly InstalledPackage[],
  latest: readonly InstalledPackage[],
): PackageDiff {
  const before = new Map(previous.map((p) => [pkgKey(p), p]));
  const after = new Map(latest.map((p) => [pkgKey(p), p]));
  const diff: PackageDiff = { added: [], removed: [], changed: [] };
  for (const [k, p] of after) {
    const old = before.get(k);
    if (!old) diff.added.push(p);
    else if (old.version !== p.version) {
      const change: PackageChange = { name: p.name, from: old.version, to: p.version };
      if (p.arch) change.arch = p.arch;
      diff.changed.push(change);
    }
  }
  for (const [k, p] of before) if (!after.has(k)) diff.removed.push(p);
  const byName = (a: { name: string }, b: { name: string }) => a.name.localeCompare(b.name);
  diff.added.sort(byName);
  diff.removed.sort(byName);
  diff.changed.sort(byName);
  return diff;
}

/** Findings fixed and new between two finding sets, keyed by host, vulnerability and package. */
export function diffFindings(previous: readonly Finding[], latest: readonly Finding[]): FindingDiff {
  const before = new Set(previous.map(findingKey));
  const after = new Set(latest.map(findingKey));
  return {
    fixed: previous.filter((f) => !after.has(findingKey(f))),
    new: latest.filter((f) => !before.has(findingKey(f))),
  };
}
