import type { InstalledPackage } from './host-state.js';
import {
  checkPackage,
  excerpt,
  IssueLog,
  lineProblem,
  MAX_LINE,
  type PackageListResult,
} from './parse-dpkg-status.js';

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
  const tabs = new Int32Array(5);
  let lineNo = 0;
  let start = 0;
  while (start < text.length) {
    let end = text.indexOf('\n', start);
    if (end < 0) end = text.length;
    lineNo++;
    const from = start;
    start = end + 1;
    if (end === from) continue;
    if (end - from > MAX_LINE || scanTabs(text, from, end, tabs) !== 5) {
      // Too long, control bytes or the wrong number of fields: the general path says which.
      readLine(text.slice(from, end), lineNo, log, packages);
      continue;
    }
    const t4 = tabs[4]!;
    if (t4 + 2 >= end || text.charCodeAt(t4 + 2) !== 105 /* i */) continue;
    const checked = checkFields(text, from, tabs);
    if (typeof checked === 'string') log.add(`${checked}; skipped`, lineNo);
    else packages.push(copyPackage(checked));
  }
  if (text.trim().length === 0) log.add('input is empty: no packages');
  return { packages, issues: log.finish() };
}

const lineMemo = new Map<string, Readonly<InstalledPackage> | string>();
const LINE_MEMO_LIMIT = 200_000;

/**
 * {@link checkPackage} of the five fields before the status, memoised per distinct text: fleets repeat
 * the same package lines. The result is shared: copy it before handing it out.
 */
function checkFields(text: string, from: number, tabs: Int32Array): Readonly<InstalledPackage> | string {
  const t0 = tabs[0]!;
  const t1 = tabs[1]!;
  const t2 = tabs[2]!;
  const t3 = tabs[3]!;
  const t4 = tabs[4]!;
  const key = text.slice(from, t4);
  let known = lineMemo.get(key);
  if (known !== undefined) return known;
  const checked = checkPackage({
    name: text.slice(from, t0),
    version: text.slice(t0 + 1, t1),
    source: text.slice(t1 + 1, t2),
    sourceVersion: text.slice(t2 + 1, t3),
    arch: text.slice(t3 + 1, t4),
  });
  known = typeof checked === 'string' ? checked : Object.freeze(checked);
  if (lineMemo.size > LINE_MEMO_LIMIT) lineMemo.clear();
  // A copy as the key: a slice would pin the whole host text.
  lineMemo.set(key.split('').join(''), known);
  return known;
}

/** A fresh record with the fields of a memoised one, in the same order (one object shape). */
function copyPackage(p: Readonly<InstalledPackage>): InstalledPackage {
  const out: InstalledPackage = { name: p.name, version: p.version, source: p.source };
  if (p.sourceVersion !== undefined) out.sourceVersion = p.sourceVersion;
  if (p.arch !== undefined) out.arch = p.arch;
  return out;
}

/**
 * One charCode pass over `text[from, end)`: records the first five tab positions in `tabs` and returns
 * how many tabs there are, or -1 when the line has a character {@link lineProblem} refuses.
 */
function scanTabs(text: string, from: number, end: number, tabs: Int32Array): number {
  let n = 0;
  for (let i = from; i < end; i++) {
    const c = text.charCodeAt(i);
    if (c < 32) {
      if (c !== 9) return -1;
      if (n < 5) tabs[n] = i;
      n++;
    } else if (c === 127 || c === 0xfffd) return -1;
  }
  return n;
}

/** The general path for one line, with the issue messages of every kind of bad line. */
function readLine(line: string, lineNo: number, log: IssueLog, packages: InstalledPackage[]): void {
  const problem = lineProblem(line);
  if (problem) {
    log.add(problem, lineNo);
    return;
  }
  const fields = line.split('\t');
  if (fields.length !== 6) {
    log.add(`expected 6 tab-separated fields, got ${fields.length}: ${excerpt(line)}; skipped`, lineNo);
    return;
  }
  const [name = '', version = '', src = '', srcVersion = '', arch = '', status = ''] = fields;
  if (status.charCodeAt(1) !== 105 /* i */) return;
  const checked = checkPackage({ name, version, source: src, sourceVersion: srcVersion, arch });
  if (typeof checked === 'string') log.add(`${checked}; skipped`, lineNo);
  else packages.push(checked);
}
