import { loadAffected } from '../adapters/store/advisory-store.js';
import { loadEol, loadEpss, loadKev } from '../adapters/store/intel-store.js';
import type { Store } from '../adapters/store/open-store.js';
import { hostScans, readHostState } from '../adapters/store/scan-store.js';
import { cveIds } from '../core/advisories/advisory.js';
import { buildAdvisoryIndex } from '../core/advisories/advisory-index.js';
import { matchHost } from '../core/advisories/match-host.js';
import { UserError } from '../core/errors.js';
import type { Finding } from '../core/findings/finding.js';
import {
  diffFindings,
  diffPackages,
  type FindingDiff,
  type PackageDiff,
} from '../core/inventory/diff-scans.js';
import type { HostState } from '../core/inventory/host-state.js';
import { ecosystemForOs } from '../core/versions/ecosystem.js';

/** What changed on one host between its previous and its latest successful scan. */
export interface ScanDiff {
  host: string;
  previous: { id: number; scannedAt: string } | null;
  latest: { id: number; scannedAt: string };
  packages: PackageDiff;
  /** Absent when the store holds no advisories for the host's OS. */
  findings?: FindingDiff;
  reboot: { before: boolean; after: boolean };
  staleProcesses: { before: number; after: number };
}

/**
 * Compares the latest successful scan of `host` with the one before it: packages added, removed and
 * changed; findings fixed and new (matched against the advisories in the store now, so the difference
 * is the host's, not the feed's); pending reboot and restart list. A host with one scan diffs against
 * nothing.
 *
 * @throws UserError when the host has no successful scan.
 */
export async function diffHostScans(store: Store, host: string, now = new Date()): Promise<ScanDiff> {
  const [latest, previous] = await hostScans(store.db, host, { limit: 2, okOnly: true });
  if (!latest?.stored) {
    throw new UserError(
      'scan-diff-none',
      `${host} has no successful scan to compare.`,
      `Run: patchwise scan ${host}`,
    );
  }
  const after = readHostState(latest.stored);
  const before = previous?.stored ? readHostState(previous.stored) : null;
  const diff: ScanDiff = {
    host,
    previous: previous ? { id: previous.id, scannedAt: previous.startedAt } : null,
    latest: { id: latest.id, scannedAt: latest.startedAt },
    packages: diffPackages(before?.packages ?? [], after.packages),
    reboot: { before: before?.reboot?.required ?? false, after: after.reboot?.required ?? false },
    staleProcesses: {
      before: before?.staleProcesses?.length ?? 0,
      after: after.staleProcesses?.length ?? 0,
    },
  };
  const findings = await findingsFor(store, [before, after], now);
  if (findings) diff.findings = diffFindings(findings[0] ?? [], findings[1] ?? []);
  return diff;
}

/** Findings of each state against the stored advisories, or undefined when there are none for its OS. */
async function findingsFor(
  store: Store,
  states: (HostState | null)[],
  now: Date,
): Promise<Finding[][] | undefined> {
  const ecosystems = new Set<string>();
  for (const s of states) {
    if (!s) continue;
    try {
      ecosystems.add(ecosystemForOs(s.os).osv);
    } catch {
      return undefined;
    }
  }
  const records = await loadAffected(store.db, [...ecosystems]);
  if (records.length === 0) return undefined;
  const index = buildAdvisoryIndex(records, [...ecosystems]);
  const cves = [...new Set(records.flatMap((r) => cveIds(r)))];
  const intel = {
    kev: await loadKev(store.db, cves),
    epss: await loadEpss(store.db, cves),
    eolReleases: await loadEol(store.db),
  };
  return states.map((s) => (s ? matchHost(s, index, intel, now) : []));
}
