import { checkPackage, excerpt, IssueLog, lineProblem, type PackageListResult } from './parse-dpkg-status.js';

/**
 * The `dpkg-query -W -f` format the collectors run: one tab-separated line per package, the source name
 * and version resolved by dpkg (they equal the binary's own when the package has no `Source` field).
 */
export const DPKG_QUERY_FORMAT =
  '${Package}\\t${Version}\\t${source:Package}\\t${source:Version}\\t${Architecture}\\t${db:Status-Abbrev}\\n';

/** The argument vector that produces {@link parseDpkgQuery}'s input. */
export const DPKG_QUERY_ARGV = ['dpkg-query', '-W', '-f', DPKG_QUERY_FORMAT] as const;

/**
 * Parses the output of {@link DPKG_QUERY_ARGV} into the installed packages: lines whose status
 * abbreviation says installed (second letter `i`: `ii`, `hi`, `ri`, `pi`). Lines that are too long,
 * carry binary bytes, have the wrong number of fields or fail the Debian grammar become issues; this
 * function never throws on its input.
 */
export function parseDpkgQuery(text: string, source = 'dpkg-query'): PackageListResult {
  const log = new IssueLog(source);
  const packages: PackageListResult['packages'] = [];
  let lineNo = 0;
  let start = 0;
  while (start < text.length) {
    let end = text.indexOf('\n', start);
    if (end < 0) end = text.length;
    lineNo++;
    const line = text.slice(start, end);
    start = end + 1;
    if (line.length === 0) continue;
    const problem = lineProblem(line);
    if (problem) {
      log.add(problem, lineNo);
      continue;
    }
    const fields = line.split('\t');
    if (fields.length !== 6) {
      log.add(`expected 6 tab-separated fields, got ${fields.length}: ${excerpt(line)}; skipped`, lineNo);
      continue;
    }
    const [name = '', version = '', src = '', srcVersion = '', arch = '', status = ''] = fields;
    if (status.charCodeAt(1) !== 105 /* i */) continue;
    const checked = checkPackage({ name, version, source: src, sourceVersion: srcVersion, arch });
    if (typeof checked === 'string') log.add(`${checked}; skipped`, lineNo);
    else packages.push(checked);
  }
  if (text.trim().length === 0) log.add('input is empty: no packages');
  return { packages, issues: log.finish() };
}
