import type { Store } from '../adapters/store/open-store.js';
import { hostScans, readHostState, type ScanRow } from '../adapters/store/scan-store.js';
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
import { loadMatching } from './fleet-pipeline.js';

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
 * Compares the latest successful scan of each of `hosts` with the one before it: packages added, removed
 * and changed; findings fixed and new (matched against the advisories in the store now, so the difference
 * is the host's, not the feed's; the index is built once for all the hosts); pending reboot and restart
 * list. A host with one scan diffs against nothing.
 *
 * @throws UserError when a host has no successful scan.
 */
export async function diffHostScans(
  store: Store,
  hosts: readonly string[],
  now = new Date(),
): Promise<ScanDiff[]> {
  const pairs: { host: string; latest: ScanRow; previous?: ScanRow }[] = [];
  for (const host of hosts) {
    const [latest, previous] = await hostScans(store.db, host, { limit: 2, okOnly: true });
    if (!latest?.stored) {
      throw new UserError(
        'scan-diff-none',
        `${host} has no successful scan to compare.`,
        `Run: patchwise scan ${host}`,
      );
    }
    pairs.push({ host, latest, ...(previous ? { previous } : {}) });
  }
  const ecosystems = new Set<string>();
  for (const { latest, previous } of pairs) {
    for (const os of [latest.stored!.summary.os, previous?.stored?.summary.os]) {
      const eco = os === undefined ? undefined : osvOf(os);
      // An OS patchwise cannot match: its diff lists packages only.
      if (eco) ecosystems.add(eco);
    }
  }
  const matching = ecosystems.size > 0 ? await loadMatching(store, [...ecosystems]) : undefined;
  const withAdvisories = new Set(matching ? matching.index.ecosystems.keys() : []);
  return pairs.map(({ host, latest, previous }) => {
    const after = readHostState(latest.stored!);
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
    const matched = (s: HostState): Finding[] | undefined => {
      const eco = osvOf(s.os);
      if (!matching || !eco || !withAdvisories.has(eco)) return undefined;
      return matchHost(s, matching.index, matching.intel, now);
    };
    const afterFindings = matched(after);
    const beforeFindings = before ? matched(before) : [];
    if (afterFindings && beforeFindings) diff.findings = diffFindings(beforeFindings, afterFindings);
    return diff;
  });
}

function osvOf(os: string): string | undefined {
  try {
    return ecosystemForOs(os).osv;
  } catch {
    return undefined;
  }
}
