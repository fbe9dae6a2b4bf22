import { compareVersions, validateVersion } from '../versions/compare-versions.js';
import type { PackageChange, VersionsByName } from './parse-apt-output.js';

/** The `dnf repoquery --qf` format {@link parseRepoquery} reads (dnf 4 adds a newline of its own; blank lines are skipped). */
export const REPOQUERY_FORMAT = '%{name}\\t%{epoch}:%{version}-%{release}\\n';

/** `E:V-R` as `rpm -q` prints it: the epoch left out when it is 0 or absent. */
export function rpmEvr(epoch: string, vr: string): string {
  return epoch === '' || epoch === '0' || epoch === '(none)' ? vr : `${epoch}:${vr}`;
}

/**
 * The newest version of each of `names` in `dnf repoquery --qf REPOQUERY_FORMAT` output (one line per
 * name and architecture); names absent from the output are undefined.
 */
export function parseRepoquery(text: string, names: readonly string[]): VersionsByName {
  const best = new Map<string, string>();
  for (const line of text.split('\n')) {
    const m = /^([^\t\s]+)\t(\d*|\(none\)):(\S+)$/.exec(line.trim());
    if (!m) continue;
    const evr = rpmEvr(m[2]!, m[3]!);
    if (validateVersion('rpm', evr) !== undefined) continue;
    const prev = best.get(m[1]!);
    if (prev === undefined || compareVersions('rpm', evr, prev) > 0) best.set(m[1]!, evr);
  }
  return Object.fromEntries(names.map((n) => [n, best.get(n)]));
}

/** The sections of dnf's transaction table whose rows are packages it would put on the host. */
const CHANGE_SECTIONS =
  /^(?:Upgrading|Installing|Installing dependencies|Installing weak dependencies|Downgrading|Reinstalling):$/;
const REMOVE_SECTIONS =
  /^(?:Removing|Removing dependent packages|Removing unused dependencies|Obsoleting|Erasing):$/;

/**
 * The rows of dnf 4's transaction table (`dnf --assumeno upgrade ...`): ` NAME ARCH VERSION REPO SIZE UNIT`
 * under `Upgrading:`, `Installing dependencies:`, ... and the names under `Removing:`. Rows dnf wraps
 * over two lines (very long names) are not read.
 */
export function parseDnfTransaction(text: string): { changes: PackageChange[]; removed: string[] } {
  const changes: PackageChange[] = [];
  const removed: string[] = [];
  let section: 'change' | 'remove' | undefined;
  for (const line of text.split('\n')) {
    if (CHANGE_SECTIONS.test(line)) section = 'change';
    else if (REMOVE_SECTIONS.test(line)) section = 'remove';
    else if (!line.startsWith(' ')) section = undefined;
    else if (section) {
      const m = /^ (\S+)\s+\S+\s+(\S+)\s+\S+\s+[\d.]+\s+\S+\s*$/.exec(line);
      if (!m) continue;
      if (section === 'change') changes.push({ name: m[1]!, to: m[2]! });
      else removed.push(m[1]!);
    }
  }
  return { changes, removed };
}
