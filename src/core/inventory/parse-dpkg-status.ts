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

const versionMemo = new Map<string, KnownVersion>();
/** name -> its shared copy, or null when it is not a valid Debian package name */
const nameMemo = new Map<string, string | null>();
/** architecture -> its shared copy, or null when it is not a valid architecture */
const archMemo = new Map<string, string | null>();

/**
 * `v` checked as a dpkg version, with a shared copy of it: a fleet repeats the same versions, so hosts
 * share one string per distinct version (less memory, and map lookups on it hit a cached hash).
 */
function knownVersion(v: string): KnownVersion {
  let known = versionMemo.get(v);
  if (known !== undefined) return known;
  let problem: string | null = null;
  if (v.length > MAX_VERSION) problem = 'version is too long';
  else if (v !== v.trim()) problem = 'version has surrounding spaces';
  else {
    const p = parseDpkgVersion(v);
    if (typeof p === 'string') problem = p;
  }
  known = { canon: ownCopy(v), problem };
  if (versionMemo.size > MEMO_LIMIT) versionMemo.clear();
  versionMemo.set(known.canon, known);
  return known;
}

/** The shared copy of a valid Debian package name, or null. */
function knownName(name: string): string | null {
  let known = nameMemo.get(name);
  if (known !== undefined) return known;
  known = isValidPackageName('debian', name) ? ownCopy(name) : null;
  if (nameMemo.size > MEMO_LIMIT) nameMemo.clear();
  nameMemo.set(known ?? ownCopy(name), known);
  return known;
}

/** The shared copy of a valid architecture name, or null. */
function knownArch(arch: string): string | null {
  let known = archMemo.get(arch);
  if (known !== undefined) return known;
  known = ARCH.test(arch) ? ownCopy(arch) : null;
  if (archMemo.size > MEMO_LIMIT) archMemo.clear();
  archMemo.set(known ?? ownCopy(arch), known);
  return known;
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

/**
 * Checks a package's name, version, source name, source version and architecture against the Debian
 * grammar; returns the trusted record or the reason it was refused.
 */
export function checkPackage(raw: RawPackage): InstalledPackage | string {
  const name = knownName(raw.name);
  if (name === null) return `invalid package name ${excerpt(raw.name)}`;
  const v = knownVersion(raw.version);
  if (v.problem) return `package ${raw.name}: invalid version ${excerpt(raw.version)}: ${v.problem}`;
  let source = name;
  if (raw.source && raw.source !== raw.name) {
    const s = knownName(raw.source);
    if (s === null) return `package ${raw.name}: invalid source name ${excerpt(raw.source)}`;
    source = s;
  }
  const out: InstalledPackage = { name, version: v.canon, source };
  if (raw.sourceVersion && raw.sourceVersion !== raw.version) {
    const sv = knownVersion(raw.sourceVersion);
    if (sv.problem)
      return `package ${raw.name}: invalid source version ${excerpt(raw.sourceVersion)}: ${sv.problem}`;
    out.sourceVersion = sv.canon;
  }
  if (raw.arch) {
    const arch = knownArch(raw.arch);
    if (arch === null) return `package ${raw.name}: invalid architecture ${excerpt(raw.arch)}`;
    out.arch = arch;
  }
  return out;
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
export function parseDpkgStatus(text: string, source = 'dpkg-status'): PackageListResult {
  const log = new IssueLog(source);
  const packages: InstalledPackage[] = [];
  // name:arch -> the line of its stanza: a package listed twice is reported, its first stanza kept.
  const seen = new Map<string, number>();
  for (const stanza of stanzas(text, log)) {
    const pkg = stanzaPackage(stanza, log);
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

function stanzaPackage(stanza: Stanza, log: IssueLog): InstalledPackage | undefined {
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
  const checked = checkPackage(raw);
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
