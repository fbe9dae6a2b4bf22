import type { InstalledPackage } from './host-state.js';
import { excerpt, IssueLog, lineProblem, type PackageListResult } from './parse-dpkg-status.js';

/** The `rpm -qa --qf` format the RHEL collector runs: one tab-separated line per installed package. */
export const RPM_QUERY_FORMAT = '%{NAME}\\t%{EPOCH}\\t%{VERSION}\\t%{RELEASE}\\t%{ARCH}\\t%{SOURCERPM}\\n';

/** The argument vector that produces {@link parseRpmQuery}'s input. */
export const RPM_QUERY_ARGV = ['rpm', '-qa', '--qf', RPM_QUERY_FORMAT] as const;

/** rpm names: letters, digits and `._+-` (e.g. `libstdc++`, `python3.11-pip`). */
const NAME = /^[A-Za-z0-9_+][A-Za-z0-9._+-]{0,255}$/;
/** rpm VERSION and RELEASE may not contain `-`; `~` and `^` order pre- and post-releases. */
const VR = /^[A-Za-z0-9._+~^]{1,128}$/;
const EPOCH = /^(?:\(none\)|\d{1,10})$/;
const ARCH = /^(?:\(none\)|[A-Za-z0-9_]{1,32})$/;
const SRPM = /^(.+)-([^-]+)-([^-]+)\.(?:no)?src\.rpm$/;

/**
 * Parses {@link RPM_QUERY_ARGV} output. The version is rpm's EVR, `EPOCH:VERSION-RELEASE`, with the epoch
 * left out when the package has none (`(none)`) or it is 0, as `rpm -q` prints it. The source package
 * comes from SOURCERPM (`openssl-3.0.7-27.el9.src.rpm` → `openssl`, `3.0.7-27.el9`), which is what RHEL,
 * Rocky and Alma advisories name. `gpg-pubkey` pseudo-packages are skipped. Malformed lines become
 * issues; this function never throws on its input.
 */
export function parseRpmQuery(text: string, source = 'rpm'): PackageListResult {
  const log = new IssueLog(source);
  const packages: InstalledPackage[] = [];
  text.split('\n').forEach((line, i) => {
    if (line.length === 0) return;
    const problem = lineProblem(line);
    if (problem) return log.add(problem, i + 1);
    const fields = line.split('\t');
    if (fields.length !== 6) {
      return log.add(
        `expected 6 tab-separated fields, got ${fields.length}: ${excerpt(line)}; skipped`,
        i + 1,
      );
    }
    const pkg = checkRpm(fields as [string, string, string, string, string, string]);
    if (typeof pkg === 'string') log.add(`${pkg}: ${excerpt(line)}; skipped`, i + 1);
    else if (pkg) packages.push(pkg);
  });
  if (text.trim().length === 0) log.add('input is empty: no packages');
  return { packages, issues: log.finish() };
}

/** The package, null for a pseudo-package, or why the fields are unusable. */
function checkRpm([name, epoch, version, release, arch, srpm]: [
  string,
  string,
  string,
  string,
  string,
  string,
]): InstalledPackage | string | null {
  if (name === 'gpg-pubkey') return null;
  if (!NAME.test(name)) return 'not an rpm package name';
  if (!EPOCH.test(epoch)) return 'not an rpm epoch';
  if (!VR.test(version) || !VR.test(release)) return 'not an rpm version-release';
  if (!ARCH.test(arch)) return 'not an rpm architecture';
  const e = epoch === '(none)' || epoch === '0' ? '' : `${epoch}:`;
  const pkg: InstalledPackage = { name, version: `${e}${version}-${release}`, source: name };
  if (arch !== '(none)') pkg.arch = arch;
  const m = SRPM.exec(srpm);
  if (m && NAME.test(m[1]!) && VR.test(m[2]!) && VR.test(m[3]!)) {
    pkg.source = m[1]!;
    const sourceVersion = `${e}${m[2]}-${m[3]}`;
    if (sourceVersion !== pkg.version) pkg.sourceVersion = sourceVersion;
  } else if (srpm !== '(none)') {
    return 'not a source rpm file name';
  }
  return pkg;
}
