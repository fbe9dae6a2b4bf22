import type { Service } from '../inventory/host.js';
import type { OsFamily } from '../inventory/os-families.js';
import type { ResolvedRollout } from './rollout-options.js';
import type { RestorePointMode } from './run-model.js';

/** A package at an exact version (the binary package's name; the version with its epoch). */
export interface VersionedPackage {
  name: string;
  version: string;
}

/** What a run does to one host, fixed when the run is created (stored in the run's spec). */
export interface RunHostSpec {
  name: string;
  tier?: number;
  owner?: string;
  /** the packages to install at these exact versions */
  targets: VersionedPackage[];
  /** the versions installed when the run was planned (a downgrade rollback goes back to them) */
  previous: VersionedPackage[];
  /** the findings the targets fix: verify's rescan must find none of them open */
  vulnIds: string[];
  services: Service[];
  restorePoint: RestorePointMode;
  provider?: { name: string; id: string };
  /** the package family its operations speak (from its latest scan or its inventory `os`) */
  family?: OsFamily;
  /** why the host is skipped before it starts (a candidate older than the fix, no scan), when it is */
  skip?: string;
}

/** The run as created: its settings, hosts in order, and the window or emergency it runs for. */
export interface RunSpec {
  rollout: ResolvedRollout;
  hosts: RunHostSpec[];
  window?: { name: string; occurrence: string; end: string; cutoffAt?: string; owner?: string };
  emergency?: { reason: string };
  /** `--packages` was given (exact packages), as opposed to the plan */
  packagesGiven: boolean;
}

const STAMP = (d: Date) => d.toISOString().replace(/[-:]/g, '').slice(0, 15);

/** A run id: `R-` + the UTC time as yyyymmddThhmmss + 4 hex digits from `random` (0 ≤ random < 1). */
export function runId(now: Date, random: number): string {
  return `R-${STAMP(now)}${Math.floor(random * 0x10000)
    .toString(16)
    .padStart(4, '0')}`;
}
