import { ownCopy } from '../own-copy.js';
import { parseDpkgVersion } from '../versions/dpkg-version.js';
import { isValidPackageName } from '../versions/package-name.js';
import type { InstalledPackage, ParseIssue } from './host-state.js';

/** What a package-list parser returns: the packages it could trust and the problems it saw. */
export interface PackageListResult {
  packages: InstalledPackage[];
  issues: ParseIssue[];
}

/** dpkg architecture names (`amd64`, `all`, `arm64`, `musl-linux-amd64`). */
const ARCH = /^[a-z0-9][a-z0-9-]{0,63}$/;
/** Longest line read; longer lines are recorded as issues and skipped. */
export const MAX_LINE = 64 * 1024;
/** Most issues recorded per input; the rest are counted in one final issue. */
export const MAX_ISSUES = 100;
const MAX_VERSION = 256;

const MEMO_LIMIT = 200_000;

/** A distinct version seen before: its shared copy and why it is not a dpkg version (null: it is one). */
interface KnownVersion {
  canon: string;
  problem: string | null;
}

/**
 * Checks packages against the Debian grammar, remembering each distinct name, version and architecture
 * it has judged: a fleet repeats the same ones, so hosts share one string per distinct value (less memory,
 * and map lookups on it hit a cached hash), each checked once. The caller creates one per run (an import,
 * a parser) and drops it with the run; each memo starts over past {@link MEMO_LIMIT} entries.
 */
export class PackageChecker {
  private readonly versions = new Map<string, KnownVersion>();
  /** name -> its shared copy, or null when it is not a valid Debian package name */
  private readonly names = new Map<string, string | null>();
  /** architecture -> its shared copy, or null when it is not a valid architecture */
  private readonly archs = new Map<string, string | null>();

  /**
   * Checks a package's name, version, source name, source version and architecture against the Debian
   * grammar; returns the trusted record or the reason it was refused.
   */
  check(raw: RawPackage): InstalledPackage | string {
    const name = this.name(raw.name);
    if (name === null) return `invalid package name ${excerpt(raw.name)}`;
    const v = this.version(raw.version);
    if (v.problem) return `package ${raw.name}: invalid version ${excerpt(raw.version)}: ${v.problem}`;
    let source = name;
    if (raw.source && raw.source !== raw.name) {
      const s = this.name(raw.source);
      if (s === null) return `package ${raw.name}: invalid source name ${excerpt(raw.source)}`;
      source = s;
    }
    const out: InstalledPackage = { name, version: v.canon, source };
    if (raw.sourceVersion && raw.sourceVersion !== raw.version) {
      const sv = this.version(raw.sourceVersion);
      if (sv.problem)
        return `package ${raw.name}: invalid source version ${excerpt(raw.sourceVersion)}: ${sv.problem}`;
      out.sourceVersion = sv.canon;
    }
    if (raw.arch) {
      const arch = this.arch(raw.arch);
      if (arch === null) return `package ${raw.name}: invalid architecture ${excerpt(raw.arch)}`;
      out.arch = arch;
    }
    return out;
  }

  /** `v` checked as a dpkg version, with a shared copy of it. */
  private version(v: string): KnownVersion {
    let known = this.versions.get(v);
    if (known !== undefined) return known;
    let problem: string | null = null;
    if (v.length > MAX_VERSION) problem = 'version is too long';
    else if (v !== v.trim()) problem = 'version has surrounding spaces';
    else {
      const p = parseDpkgVersion(v);
      if (typeof p === 'string') problem = p;
    }
    known = { canon: ownCopy(v), problem };
    remember(this.versions, known.canon, known);
    return known;
  }

  /** The shared copy of a valid Debian package name, or null. */
  private name(name: string): string | null {
    let known = this.names.get(name);
    if (known !== undefined) return known;
    known = isValidPackageName('debian', name) ? ownCopy(name) : null;
    remember(this.names, known ?? ownCopy(name), known);
    return known;
  }

  /** The shared copy of a valid architecture name, or null. */
  private arch(arch: string): string | null {
    let known = this.archs.get(arch);
    if (known !== undefined) return known;
    known = ARCH.test(arch) ? ownCopy(arch) : null;
    remember(this.archs, known ?? ownCopy(arch), known);
    return known;
  }
}

function remember<V>(memo: Map<string, V>, key: string, value: V): void {
  if (memo.size > MEMO_LIMIT) memo.clear();
  memo.set(key, value);
}

/** A short, escaped excerpt of untrusted text for an issue message (never the raw bytes). */
export function excerpt(s: string, max = 60): string {
  return JSON.stringify(s.length > max ? `${s.slice(0, max)}…` : s);
}

/** Collects parse issues up to {@link MAX_ISSUES}, then only counts them. */
export class IssueLog {
  readonly issues: ParseIssue[] = [];
  private dropped = 0;
  constructor(private readonly source: string) {}

  add(message: string, line?: number): void {
    if (this.issues.length >= MAX_ISSUES) {
      this.dropped++;
      return;
    }
    this.issues.push(
      line === undefined ? { source: this.source, message } : { source: this.source, line, message },
    );
  }

  /** The issues, with one more saying how many were left out. */
  finish(): ParseIssue[] {
    if (this.dropped > 0) {
      this.issues.push({ source: this.source, message: `${this.dropped} more issues not recorded` });
    }
    return this.issues;
  }
}

/** Why a line cannot be read at all (too long, control bytes), or null. */
export function lineProblem(line: string): string | null {
  if (line.length > MAX_LINE) return `line is ${line.length} characters long (limit ${MAX_LINE}); skipped`;
  if (hasControlBytes(line)) return `line contains control or binary bytes: ${excerpt(line)}; skipped`;
  return null;
}

/** True when `s` holds a C0 control character other than tab, DEL, or U+FFFD (an undecodable byte). */
function hasControlBytes(s: string): boolean {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if ((c < 32 && c !== 9) || c === 127 || c === 0xfffd) return true;
  }
  return false;
}

/** Fields of one installed package as read, before they are checked. */
export interface RawPackage {
  name: string;
  version: string;
  source?: string;
  sourceVersion?: string;
  arch?: string;
}

/** {@link PackageChecker.check} with a checker of its own: for one package, not a fleet. */
export function checkPackage(raw: RawPackage): InstalledPackage | string {
  return new PackageChecker().check(raw);
}

interface Stanza {
  line: number;
  fields: Map<string, string>;
  /** A field read twice (dpkg refuses such a stanza): the field as written and its second line. */
  duplicate?: { field: string; line: number };
}

/** Records field `name` (lower case) of `stanza`, read at line `lineNo`; a second one is a duplicate. */
function setField(stanza: Stanza, name: string, written: string, value: string, lineNo: number): void {
  if (stanza.fields.has(name)) stanza.duplicate ??= { field: written, line: lineNo };
  stanza.fields.set(name, value);
}

/**
 * Parses a dpkg status file (`/var/lib/dpkg/status`) into the packages that are installed: stanzas whose
 * `Status` is `<want> <ok|reinstreq> installed` (held and to-be-removed packages are still on disk, so
 * they count). `Source: name (version)` gives the source package and its version. Anything unreadable
 * (long lines, binary bytes, bad names or versions, stanzas without Package or Version) becomes a
 * {@link ParseIssue}; this function never throws on its input.
 */
export function parseDpkgStatus(
  text: string,
  source = 'dpkg-status',
  checker: PackageChecker = new PackageChecker(),
): PackageListResult {
  const log = new IssueLog(source);
  const packages: InstalledPackage[] = [];
  // name:arch -> the line of its stanza: a package listed twice is reported, its first stanza kept.
  const seen = new Map<string, number>();
  for (const stanza of stanzas(text, log)) {
    const pkg = stanzaPackage(stanza, log, checker);
    if (!pkg) continue;
    const key = pkg.arch ? `${pkg.name}:${pkg.arch}` : pkg.name;
    const first = seen.get(key);
    if (first !== undefined) {
      log.add(`package ${excerpt(key)} is listed again (first at line ${first}); skipped`, stanza.line);
      continue;
    }
    seen.set(key, stanza.line);
    packages.push(pkg);
  }
  if (text.trim().length === 0) log.add('input is empty: no packages');
  return { packages, issues: log.finish() };
}

/** The fields {@link stanzaPackage} reads (lower case); other fields are checked as lines but not kept. */
const WANTED = /^(?:package|status|version|source|architecture)$/;

/** A character that needs a line's full check (control bytes other than tab and newline, DEL, U+FFFD). */
// eslint-disable-next-line no-control-regex -- finding control characters is the point
const UNCLEAN = /[\x00-\x08\x0b-\x1f\x7f\ufffd]/;

function* stanzas(text: string, log: IssueLog): Generator<Stanza> {
  // Checked once for the whole file: when no line can hold a control byte, each line needs only its
  // length checked, and a field patchwise does not read is never copied.
  const clean = !UNCLEAN.test(text);
  let current: Stanza | undefined;
  let lineNo = 0;
  let start = 0;
  while (start <= text.length) {
    let end = text.indexOf('\n', start);
    if (end < 0) end = text.length;
    lineNo++;
    const from = start;
    start = end + 1;
    const first = from < end ? text.charCodeAt(from) : 10;
    // Continuation lines of multi-line fields (most of a real file) are skipped without being copied;
    // a line of only blanks still ends the stanza.
    if (first === 32 || first === 9 || first === 13 || first === 10) {
      if (!isBlank(text, from, end)) continue;
      if (current) yield current;
      current = undefined;
      continue;
    }
    if (clean && end - from <= MAX_LINE) {
      const colon = text.indexOf(':', from);
      if (colon > from && colon < end) {
        current ??= newStanza(lineNo);
        const len = colon - from;
        if (len === 6 || len === 7 || len === 12) {
          const written = text.slice(from, colon);
          const field = written.toLowerCase();
          if (WANTED.test(field))
            setField(current, field, written, text.slice(colon + 1, end).trim(), lineNo);
        }
        continue;
      }
    }
    const line = text.charCodeAt(end - 1) === 13 ? text.slice(from, end - 1) : text.slice(from, end);
    const problem = lineProblem(line);
    if (problem) {
      log.add(problem, lineNo);
      continue;
    }
    const colon = line.indexOf(':');
    if (colon <= 0) {
      log.add(`not a "Field: value" line: ${excerpt(line)}`, lineNo);
      continue;
    }
    current ??= newStanza(lineNo);
    const written = line.slice(0, colon);
    const field = written.toLowerCase();
    if (WANTED.test(field)) setField(current, field, written, line.slice(colon + 1).trim(), lineNo);
  }
  if (current) yield current;
}

function newStanza(line: number): Stanza {
  return { line, fields: new Map() };
}

/** Whether `text[from, to)` holds only white space (as `String.prototype.trim` sees it). */
function isBlank(text: string, from: number, to: number): boolean {
  for (let i = from; i < to; i++) {
    const c = text.charCodeAt(i);
    if (c !== 32 && c !== 9 && c !== 13 && !(c >= 10 && c <= 13)) return text.slice(i, to).trim() === '';
  }
  return true;
}

const SOURCE_FIELD = /^(\S+)(?:\s+\((\S+)\))?$/;

function stanzaPackage(stanza: Stanza, log: IssueLog, checker: PackageChecker): InstalledPackage | undefined {
  const f = stanza.fields;
  const name = f.get('package');
  const status = f.get('status');
  if (name === undefined) {
    log.add('stanza without a Package field; skipped', stanza.line);
    return undefined;
  }
  // Before the status check: a second Status line must not hide an installed package either.
  const dup = stanza.duplicate;
  if (dup) {
    log.add(
      `package ${excerpt(name)}: field ${excerpt(dup.field)} given twice in the stanza of line ${stanza.line}; skipped`,
      dup.line,
    );
    return undefined;
  }
  if (status === undefined || !isInstalled(status)) return undefined;
  const version = f.get('version');
  if (version === undefined) {
    log.add(`package ${excerpt(name)} is installed but has no Version; skipped`, stanza.line);
    return undefined;
  }
  const raw: RawPackage = { name, version, arch: f.get('architecture') };
  const src = f.get('source');
  if (src !== undefined) {
    const m = SOURCE_FIELD.exec(src);
    if (!m) {
      log.add(`package ${excerpt(name)}: unreadable Source field ${excerpt(src)}; skipped`, stanza.line);
      return undefined;
    }
    raw.source = m[1];
    raw.sourceVersion = m[2];
  }
  const checked = checker.check(raw);
  if (typeof checked === 'string') {
    log.add(`${checked}; skipped`, stanza.line);
    return undefined;
  }
  return checked;
}

function isInstalled(status: string): boolean {
  const words = status.split(/\s+/);
  return words.length === 3 && words[2] === 'installed' && (words[1] === 'ok' || words[1] === 'reinstreq');
}
