import type { PackageListResult } from '../../core/inventory/parse-dpkg-status.js';
import type { OsFamily } from '../../core/inventory/os-families.js';

/** The sections of one scan's output, by name (see `splitSections`). */
export type Sections = ReadonlyMap<string, string>;

/** What a collector reads from its sections: the installed packages, and the pending reboot when it knows better. */
export interface CollectedPackages extends PackageListResult {
  reboot?: { required: boolean; packages: string[] };
}

/**
 * One OS family's part of the single-round-trip scan: the shell it adds to the scan script and the
 * parsing of what that shell prints. Picked by the family of the host's os-release (`osFamily`).
 */
export interface Collector {
  readonly family: OsFamily;
  /**
   * A POSIX sh condition that holds on a host with this family's package manager. The scan script runs
   * the first collector whose probe holds, so a host prints one package database.
   */
  readonly probe: string;
  /**
   * POSIX sh lines printing this collector's sections, each begun by `s NAME` (the script's section
   * function). Fixed text: nothing from the host or the inventory is ever put in it.
   */
  readonly script: string;
  /** Whether a running kernel missing from `/lib/modules` means a reboot is pending (no reboot-required file). */
  readonly missingKernelMeansReboot: boolean;
  /** The packages (and reboot, if the family has its own signal) from the sections this collector printed. */
  readPackages(sections: Sections): CollectedPackages;
}

/** The issue for a host whose package database section is missing. */
export function noPackageDatabase(family: OsFamily): CollectedPackages {
  return {
    packages: [],
    issues: [{ source: 'packages', message: `no ${family} package database found on the host` }],
  };
}
