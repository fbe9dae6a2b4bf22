/**
 * RPM version ordering, exactly as rpm 4.18 does it: `rpmvercmp()` (rpmio/rpmvercmp.c) on each part of
 * `[epoch:]version[-release]`, with `~` sorting before everything (pre-releases) and `^` after the base
 * version but before anything else that follows it (post-release snapshots).
 */

/** A parsed rpm EVR. `release` is undefined when the string had none. */
export interface RpmVersion {
  /** Digits only, `0` when absent (rpm compares a missing epoch as 0). */
  epoch: string;
  version: string;
  release: string | undefined;
}

// Characters rpmbuild allows in Version and Release (alnum plus "._+~^"; its macro characters "%{}" are
// expanded before a package exists, so they never appear in an installed or advisory version).
const PART = /^[A-Za-z0-9._+~^]+$/;

function isDigit(c: number): boolean {
  return c >= 48 && c <= 57;
}

function isAlpha(c: number): boolean {
  return (c >= 65 && c <= 90) || (c >= 97 && c <= 122);
}

/** rpm's separator test: anything that is not ASCII alnum, `~` or `^` only separates segments. */
function isSeparator(c: number): boolean {
  return !isDigit(c) && !isAlpha(c) && c !== 126 && c !== 94;
}

/** Compares the digit runs a[i..ie) and b[j..je): leading zeros dropped, longer wins, then digit by digit. */
function compareNumeric(a: string, i: number, ie: number, b: string, j: number, je: number): number {
  while (i < ie && a.charCodeAt(i) === 48) i++;
  while (j < je && b.charCodeAt(j) === 48) j++;
  if (ie - i !== je - j) return ie - i > je - j ? 1 : -1;
  return compareChars(a, i, ie, b, j, je);
}

/** strcmp() of a[i..ie) and b[j..je): the first different character decides, else the shorter is less. */
function compareChars(a: string, i: number, ie: number, b: string, j: number, je: number): number {
  while (i < ie && j < je) {
    const d = a.charCodeAt(i) - b.charCodeAt(j);
    if (d !== 0) return d < 0 ? -1 : 1;
    i++;
    j++;
  }
  if (i < ie) return 1;
  if (j < je) return -1;
  return 0;
}

/**
 * rpm's `rpmvercmp()`: compares two version (or release) strings, returning -1, 0 or 1. Works on any string
 * (characters other than ASCII alnum, `~` and `^` only separate segments, so non-ASCII letters compare as
 * equal, as in rpm) and allocates nothing.
 */
export function rpmvercmp(a: string, b: string): -1 | 0 | 1 {
  if (a === b) return 0;
  const al = a.length;
  const bl = b.length;
  let i = 0;
  let j = 0;
  while (i < al || j < bl) {
    while (i < al && isSeparator(a.charCodeAt(i))) i++;
    while (j < bl && isSeparator(b.charCodeAt(j))) j++;
    const ca = i < al ? a.charCodeAt(i) : 0;
    const cb = j < bl ? b.charCodeAt(j) : 0;
    if (ca === 126 || cb === 126) {
      if (ca !== 126) return 1;
      if (cb !== 126) return -1;
      i++;
      j++;
      continue;
    }
    if (ca === 94 || cb === 94) {
      if (i >= al) return -1;
      if (j >= bl) return 1;
      if (ca !== 94) return 1;
      if (cb !== 94) return -1;
      i++;
      j++;
      continue;
    }
    if (i >= al || j >= bl) break;
    const numeric = isDigit(ca);
    const test = numeric ? isDigit : isAlpha;
    let ie = i;
    let je = j;
    while (ie < al && test(a.charCodeAt(ie))) ie++;
    while (je < bl && test(b.charCodeAt(je))) je++;
    // A numeric segment against an alphabetic one: the numeric one is newer.
    if (je === j) return numeric ? 1 : -1;
    const rc = numeric ? compareNumeric(a, i, ie, b, j, je) : compareChars(a, i, ie, b, j, je);
    if (rc !== 0) return rc < 0 ? -1 : 1;
    i = ie;
    j = je;
  }
  if (i >= al && j >= bl) return 0;
  return i >= al ? -1 : 1;
}

/**
 * Parses `[epoch:]version[-release]` as rpm's parseEVR() splits it (the epoch is the leading digits before
 * a `:`, the release follows the last `-`) and checks each part against rpmbuild's character rules.
 * Returns the parts or an error message.
 */
export function parseRpmVersion(input: string): RpmVersion | string {
  if (input.length === 0) return 'version string is empty';
  if (/\s/.test(input)) return 'version string has spaces';
  let rest = input;
  let epoch = '0';
  const colon = input.indexOf(':');
  if (colon >= 0) {
    const e = input.slice(0, colon);
    if (!/^[0-9]*$/.test(e)) return 'epoch is not a number';
    if (e.length > 0) epoch = e;
    rest = input.slice(colon + 1);
  }
  let version = rest;
  let release: string | undefined;
  const dash = rest.lastIndexOf('-');
  if (dash >= 0) {
    version = rest.slice(0, dash);
    release = rest.slice(dash + 1);
    if (release.length === 0) return 'release is empty';
    if (!PART.test(release)) return 'invalid character in release';
  }
  if (version.length === 0) return 'version is empty';
  if (!PART.test(version)) return 'invalid character in version';
  // rpmbuild refuses ".." in Version and Release.
  if (rest.includes('..')) return 'illegal sequence ".." in version';
  return { epoch, version, release };
}

/**
 * Compares two parsed EVRs as rpm 4.18's rpmverCmp() does: epoch, then version, then release, where a
 * missing release sorts before any release (`1.0` < `1.0-1`). (Only rpm's dependency-range check,
 * rpmverOverlap, treats a missing release as matching every release; this is an ordering.)
 */
export function compareParsedRpm(a: RpmVersion, b: RpmVersion): -1 | 0 | 1 {
  const e = rpmvercmp(a.epoch, b.epoch);
  if (e !== 0) return e;
  const v = rpmvercmp(a.version, b.version);
  if (v !== 0) return v;
  if (a.release === undefined || b.release === undefined) {
    if (a.release === b.release) return 0;
    return a.release === undefined ? -1 : 1;
  }
  return rpmvercmp(a.release, b.release);
}

/** Compares two rpm EVR strings and returns -1, 0 or 1. Throws on an invalid one; validate untrusted input first. */
export function compareRpmVersions(a: string, b: string): -1 | 0 | 1 {
  const pa = parseRpmVersion(a);
  const pb = parseRpmVersion(b);
  if (typeof pa === 'string') throw new Error(`invalid rpm version ${JSON.stringify(a)}: ${pa}`);
  if (typeof pb === 'string') throw new Error(`invalid rpm version ${JSON.stringify(b)}: ${pb}`);
  return compareParsedRpm(pa, pb);
}
