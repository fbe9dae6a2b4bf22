import fs from 'node:fs';

/**
 * The version-ordering test vectors in test/fixtures/versions/ (see its README for sources and licences),
 * read here so the pure unit tests under src/core/versions need no I/O of their own.
 */
const dir = new URL('./fixtures/versions/', import.meta.url);
const read = (name: string): string => fs.readFileSync(new URL(name, dir), 'utf8');

/** Rows of a TSV file with a header line, each split on tabs. */
function tsvRows(name: string): string[][] {
  return read(name)
    .trim()
    .split('\n')
    .slice(1)
    .map((l) => l.split('\t'));
}

export interface DpkgVectors {
  compare: { a: string; b: string; expected: -1 | 0 | 1 }[];
  parse_valid: { input: string; epoch: number; upstream: string; revision: string }[];
  parse_whitespace_equivalent: { input: string; equals: string }[];
  parse_invalid: { input: string; severity: 'error' | 'warning' | 'invalid' }[];
}

/** dpkg 1.21's test data (Dpkg_Version.t, t-version.c). */
export const DPKG_VECTORS = JSON.parse(read('dpkg_version_vectors.json')) as DpkgVectors;
/** The same 52 comparisons as `a, b, expected` rows. */
export const DPKG_COMPARE_TSV = tsvRows('dpkg_version_compare.tsv');

export interface RpmCase {
  a: string;
  b: string;
  expected: -1 | 0 | 1;
  active_in_testsuite: boolean;
  note: string;
}

/** rpm 4.18's tests/rpmvercmp.at cases, the dnl-commented "oddities" included (active_in_testsuite false). */
export const RPM_CASES = (JSON.parse(read('rpmvercmp_vectors.json')) as { cases: RpmCase[] }).cases;
/** The same cases as `a, b, expected, active` rows. */
export const RPM_TSV = tsvRows('rpmvercmp.tsv');

/** apk-tools' test/unit/version.data, as `{ line, text }` with comments stripped and blank lines dropped. */
export const APK_LINES = read('apk_version.data')
  .split('\n')
  .map((l, i) => ({ line: i + 1, text: l.replace(/#.*$/, '').trim() }))
  .filter((l) => l.text.length > 0);
