/**
 * Debian package version ordering, exactly as dpkg does it (lib/dpkg/version.c, lib/dpkg/parsehelp.c):
 * `[epoch:]upstream[-revision]`, where `~` sorts before everything, even the end of the string, and letters
 * sort before non-letters.
 */

/** A parsed dpkg version. */
export interface DpkgVersion {
  epoch: number;
  upstream: string;
  revision: string;
}

const INT_MAX = 2147483647;
const EPOCH_DIGITS = /^[0-9]+$/;
const UPSTREAM_CHARS = /^[A-Za-z0-9.+~:-]*$/;
const REVISION_CHARS = /^[A-Za-z0-9.+~]*$/;

/** dpkg trims only blanks (space and tab) around a version, as its `c_isblank` does. */
function trimBlanks(s: string): string {
  let start = 0;
  let end = s.length;
  while (start < end && isBlank(s.charCodeAt(start))) start++;
  while (end > start && isBlank(s.charCodeAt(end - 1))) end--;
  return s.slice(start, end);
}

function isBlank(code: number): boolean {
  return code === 32 || code === 9;
}

/** Splits off and checks the epoch; returns the epoch and the rest, or an error message. */
function parseEpoch(s: string): { epoch: number; rest: string } | string {
  const colon = s.indexOf(':');
  if (colon < 0) return { epoch: 0, rest: s };
  const e = s.slice(0, colon);
  if (e.length === 0) return 'epoch in version is empty';
  // dpkg reads the epoch with strtol, so it names a leading minus "negative"; patchwise also refuses a
  // leading "+" (dpkg accepts it, Debian policy and Dpkg::Version do not).
  if (/^-[0-9]+$/.test(e) && Number(e) !== 0) return 'epoch in version is negative';
  if (!EPOCH_DIGITS.test(e)) return 'epoch in version is not number';
  const epoch = Number(e);
  if (epoch > INT_MAX) return 'epoch in version is too big';
  const rest = s.slice(colon + 1);
  if (rest.length === 0) return 'nothing after colon in version number';
  return { epoch, rest };
}

/**
 * Parses a dpkg version string, or returns an error message saying what is wrong with it, in dpkg's words.
 * Follows dpkg's parseversion(): blanks around the version are ignored, the epoch is before the first `:`,
 * the revision after the last `-`. Versions dpkg only warns about (a non-digit start, characters outside
 * Debian policy) are refused here, because patchwise hands versions to apt on a command line.
 */
export function parseDpkgVersion(input: string): DpkgVersion | string {
  const s = trimBlanks(input);
  if (s.length === 0) return 'version string is empty';
  if (/[ \t]/.test(s)) return 'version string has embedded spaces';
  const ep = parseEpoch(s);
  if (typeof ep === 'string') return ep;
  let upstream = ep.rest;
  let revision = '';
  const dash = upstream.lastIndexOf('-');
  if (dash >= 0) {
    revision = upstream.slice(dash + 1);
    upstream = upstream.slice(0, dash);
    if (revision.length === 0) return 'revision number is empty';
  }
  if (upstream.length === 0) return 'version number is empty';
  if (!isDigit(upstream.charCodeAt(0))) return 'version number does not start with digit';
  if (!UPSTREAM_CHARS.test(upstream)) return 'invalid character in version number';
  if (!REVISION_CHARS.test(revision)) return 'invalid character in revision number';
  return { epoch: ep.epoch, upstream, revision };
}

/** The sort weight of one non-digit character: `~` lowest, end of string 0, letters before other characters. */
function order(code: number): number {
  if (isDigit(code)) return 0;
  if ((code >= 65 && code <= 90) || (code >= 97 && code <= 122)) return code;
  if (code === 126) return -1; // ~
  return code + 256;
}

function isDigit(code: number): boolean {
  return code >= 48 && code <= 57;
}

/**
 * dpkg's verrevcmp(): compares one upstream or revision part; negative, zero or positive. Works on any
 * string and allocates nothing, so it is safe on the matcher's hot path.
 */
export function compareDpkgFragment(a: string, b: string): number {
  const al = a.length;
  const bl = b.length;
  let i = 0;
  let j = 0;
  while (i < al || j < bl) {
    let firstDiff = 0;
    while ((i < al && !isDigit(a.charCodeAt(i))) || (j < bl && !isDigit(b.charCodeAt(j)))) {
      const ac = i < al ? order(a.charCodeAt(i)) : 0;
      const bc = j < bl ? order(b.charCodeAt(j)) : 0;
      if (ac !== bc) return ac - bc;
      i++;
      j++;
    }
    while (i < al && a.charCodeAt(i) === 48) i++;
    while (j < bl && b.charCodeAt(j) === 48) j++;
    while (i < al && j < bl && isDigit(a.charCodeAt(i)) && isDigit(b.charCodeAt(j))) {
      if (firstDiff === 0) firstDiff = a.charCodeAt(i) - b.charCodeAt(j);
      i++;
      j++;
    }
    if (i < al && isDigit(a.charCodeAt(i))) return 1;
    if (j < bl && isDigit(b.charCodeAt(j))) return -1;
    if (firstDiff !== 0) return firstDiff;
  }
  return 0;
}

/** Compares two parsed dpkg versions: negative, zero or positive. Allocation-free. */
export function compareParsedDpkg(a: DpkgVersion, b: DpkgVersion): number {
  if (a.epoch !== b.epoch) return a.epoch - b.epoch;
  const u = compareDpkgFragment(a.upstream, b.upstream);
  if (u !== 0) return u;
  return compareDpkgFragment(a.revision, b.revision);
}

/**
 * Compares two dpkg version strings and returns -1, 0 or 1. Throws on a version dpkg would reject;
 * use {@link parseDpkgVersion} first where input is untrusted.
 */
export function compareDpkgVersions(a: string, b: string): -1 | 0 | 1 {
  const pa = parseDpkgVersion(a);
  const pb = parseDpkgVersion(b);
  if (typeof pa === 'string') throw new Error(`invalid dpkg version ${JSON.stringify(a)}: ${pa}`);
  if (typeof pb === 'string') throw new Error(`invalid dpkg version ${JSON.stringify(b)}: ${pb}`);
  return Math.sign(compareParsedDpkg(pa, pb)) as -1 | 0 | 1;
}
