/**
 * Debian package version ordering, exactly as dpkg does it (lib/dpkg/version.c): `[epoch:]upstream[-revision]`,
 * where `~` sorts before everything, even the end of the string, and letters sort before non-letters.
 */

/** A parsed dpkg version. */
export interface DpkgVersion {
  epoch: number;
  upstream: string;
  revision: string;
}

const UPSTREAM = /^[0-9][A-Za-z0-9.+~:-]*$/;
const REVISION = /^[A-Za-z0-9.+~]*$/;

/**
 * Parses a dpkg version string, or returns an error message saying what is wrong with it.
 * Follows dpkg's parseversion(): the epoch is before the first `:`, the revision after the last `-`.
 */
export function parseDpkgVersion(input: string): DpkgVersion | string {
  const s = input.trim();
  if (s.length === 0) return 'version string is empty';
  if (/\s/.test(s)) return 'version string has embedded spaces';
  let epoch = 0;
  let rest = s;
  const colon = s.indexOf(':');
  if (colon >= 0) {
    const e = s.slice(0, colon);
    if (e.length === 0) return 'epoch in version is empty';
    if (!/^[0-9]+$/.test(e)) return 'epoch in version is not number';
    epoch = Number(e);
    if (epoch > 2147483647) return 'epoch in version is too big';
    rest = s.slice(colon + 1);
  }
  let upstream = rest;
  let revision = '';
  const dash = rest.lastIndexOf('-');
  if (dash >= 0) {
    upstream = rest.slice(0, dash);
    revision = rest.slice(dash + 1);
    if (revision.length === 0) return 'revision number is empty';
  }
  if (upstream.length === 0) return 'version number is empty';
  if (!/^[0-9]/.test(upstream)) return 'version number does not start with digit';
  if (!UPSTREAM.test(upstream)) return 'invalid character in version number';
  if (!REVISION.test(revision)) return 'invalid character in revision number';
  return { epoch, upstream, revision };
}

/** The sort weight of one non-digit character: `~` lowest, end of string 0, letters before other characters. */
function order(code: number): number {
  if (code >= 48 && code <= 57) return 0; // digit
  if ((code >= 65 && code <= 90) || (code >= 97 && code <= 122)) return code; // letter
  if (code === 126) return -1; // ~
  return code + 256;
}

function isDigit(code: number): boolean {
  return code >= 48 && code <= 57;
}

/** dpkg's verrevcmp(): compares one upstream or revision part. */
export function compareDpkgFragment(a: string, b: string): number {
  let i = 0;
  let j = 0;
  while (i < a.length || j < b.length) {
    let firstDiff = 0;
    while ((i < a.length && !isDigit(a.charCodeAt(i))) || (j < b.length && !isDigit(b.charCodeAt(j)))) {
      const ac = i < a.length ? order(a.charCodeAt(i)) : 0;
      const bc = j < b.length ? order(b.charCodeAt(j)) : 0;
      if (ac !== bc) return ac - bc;
      i++;
      j++;
    }
    while (i < a.length && a.charCodeAt(i) === 48) i++;
    while (j < b.length && b.charCodeAt(j) === 48) j++;
    while (i < a.length && j < b.length && isDigit(a.charCodeAt(i)) && isDigit(b.charCodeAt(j))) {
      if (!firstDiff) firstDiff = a.charCodeAt(i) - b.charCodeAt(j);
      i++;
      j++;
    }
    if (i < a.length && isDigit(a.charCodeAt(i))) return 1;
    if (j < b.length && isDigit(b.charCodeAt(j))) return -1;
    if (firstDiff) return firstDiff;
  }
  return 0;
}

/** Compares two parsed dpkg versions: negative, zero or positive. */
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
