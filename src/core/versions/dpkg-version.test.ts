import { describe, expect, it } from 'vitest';
import { DPKG_COMPARE_TSV, DPKG_VECTORS } from '../../../test/versions-fixtures.js';
import {
  compareDpkgVersions,
  compareParsedDpkg,
  parseDpkgVersion,
  type DpkgVersion,
} from './dpkg-version.js';

const vectors = DPKG_VECTORS;

/**
 * dpkg's t-version.c compares some versions as already-split structs, bypassing parsing: `0:a-0` has an
 * upstream part dpkg only warns about (and patchwise refuses). Those are compared part by part here.
 */
function compareAsDpkg(a: string, b: string): number {
  const split = (v: string): DpkgVersion => {
    const p = parseDpkgVersion(v);
    if (typeof p !== 'string') return p;
    expect(p).toBe('version number does not start with digit');
    const m = /^(\d+):(.*)-([^-]*)$/.exec(v)!;
    return { epoch: Number(m[1]), upstream: m[2]!, revision: m[3]! };
  };
  return Math.sign(compareParsedDpkg(split(a), split(b)));
}

const tsv = DPKG_COMPARE_TSV as [string, string, string][];

describe('dpkg version ordering (dpkg 1.21 test data)', () => {
  it('has the 52 comparison cases in both fixture forms', () => {
    expect(vectors.compare).toHaveLength(52);
    expect(tsv).toHaveLength(52);
    expect(tsv.map(([a, b, e]) => ({ a, b, expected: Number(e) }))).toEqual(
      vectors.compare.map(({ a, b, expected }) => ({ a, b, expected })),
    );
  });

  it.each(vectors.compare)('compare($a, $b) = $expected, and the reverse is its negation', (c) => {
    expect(compareAsDpkg(c.a, c.b)).toBe(c.expected);
    expect(compareAsDpkg(c.b, c.a)).toBe(-c.expected || 0);
  });

  it.each(vectors.parse_valid)('parses $input', (c) => {
    expect(parseDpkgVersion(c.input)).toEqual({ epoch: c.epoch, upstream: c.upstream, revision: c.revision });
  });

  it.each(vectors.parse_whitespace_equivalent)('ignores blanks around $input', (c) => {
    expect(parseDpkgVersion(c.input)).toEqual(parseDpkgVersion(c.equals));
    expect(compareDpkgVersions(c.input, c.equals)).toBe(0);
  });

  it('has the 67 invalid cases', () => expect(vectors.parse_invalid).toHaveLength(67));

  it.each(vectors.parse_invalid)('refuses $input ($severity in dpkg)', (c) => {
    expect(typeof parseDpkgVersion(c.input)).toBe('string');
  });
});

describe('dpkg version errors', () => {
  // Messages as `dpkg --compare-versions` prints them, except that patchwise says "not number" for a
  // non-numeric epoch that dpkg calls "empty" (it stops reading at the first non-digit).
  it.each([
    ['', 'version string is empty'],
    [' \t ', 'version string is empty'],
    ['1.0 1', 'version string has embedded spaces'],
    [':1.0', 'epoch in version is empty'],
    ['a:b', 'epoch in version is not number'],
    ['1a:1', 'epoch in version is not number'],
    ['+1:1', 'epoch in version is not number'],
    ['-1:0-1', 'epoch in version is negative'],
    ['2147483648:1', 'epoch in version is too big'],
    ['1:', 'nothing after colon in version number'],
    ['1.0-', 'revision number is empty'],
    ['0:-0', 'version number is empty'],
    ['abc', 'version number does not start with digit'],
    ['1.0_1', 'invalid character in version number'],
    ['1.0\n', 'invalid character in version number'],
    ['1.0-1_2', 'invalid character in revision number'],
    ['1:1.0-1:2', 'invalid character in revision number'],
  ])('%j: %s', (input, message) => {
    expect(parseDpkgVersion(input)).toBe(message);
  });

  it('accepts the largest epoch dpkg accepts', () => {
    expect(parseDpkgVersion('2147483647:1')).toEqual({ epoch: 2147483647, upstream: '1', revision: '' });
  });

  it('throws, naming the version, when comparing an invalid one', () => {
    expect(() => compareDpkgVersions('1.0', 'x')).toThrow(/invalid dpkg version "x"/);
  });
});

describe('dpkg ordering details', () => {
  it.each([
    ['1.0~rc1', '1.0', -1],
    ['1.0~~', '1.0~', -1],
    ['1.0+b1', '1.0', 1],
    ['1.0.0', '1.0', 1],
    ['1.0a', '1.0+', -1],
    ['1.0a', '1.0.', -1],
    ['1.0-1', '1.0-1~bpo1', 1],
    ['0001.0002', '1.2', 0],
    ['99999999999999999999', '99999999999999999998', 1],
    ['1.2.3-4+deb12u1', '1.2.3-4', 1],
    ['1:1.0', '2.0', 1],
  ] as const)('%s vs %s = %d', (a, b, expected) => {
    expect(compareDpkgVersions(a, b)).toBe(expected);
  });
});
