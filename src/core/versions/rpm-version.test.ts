import { describe, expect, it } from 'vitest';
import { RPM_CASES, RPM_TSV } from '../../../test/versions-fixtures.js';
import { compareRpmVersions, parseRpmVersion, rpmvercmp } from './rpm-version.js';

const cases = RPM_CASES;
const active = cases.filter((c) => c.active_in_testsuite);
const oddities = cases.filter((c) => !c.active_in_testsuite);

describe('rpmvercmp (rpm 4.18 tests/rpmvercmp.at)', () => {
  it('has 91 active cases and 12 oddities, the same in the TSV form', () => {
    expect(active).toHaveLength(91);
    expect(oddities).toHaveLength(12);
    const tsv = RPM_TSV;
    expect(tsv.map(([a, b, e, act]) => [a, b, Number(e), act === '1'])).toEqual(
      cases.map((c) => [c.a, c.b, c.expected, c.active_in_testsuite]),
    );
  });

  it.each(active)('rpmvercmp($a, $b) = $expected', (c) => {
    expect(rpmvercmp(c.a, c.b)).toBe(c.expected);
  });

  // Upstream keeps these commented out ("dnl") because they document arguably wrong behaviour: the
  // RhBug:811992 cases (a letter glued to a number) and non-ASCII letters, which rpm treats as separators,
  // so all of them compare equal. rpm 4.18 really returns the listed values (checked with
  // `rpm --eval '%{lua: print(rpm.vercmp(a, b))}'`), so patchwise asserts them as rpm behaves.
  it.each(oddities)('oddity, as rpm 4.18 behaves: rpmvercmp($a, $b) = $expected ($note)', (c) => {
    expect(rpmvercmp(c.a, c.b)).toBe(c.expected);
  });
});

describe('rpm EVR', () => {
  it.each([
    ['1.0-1', { epoch: '0', version: '1.0', release: '1' }],
    ['2:1.2.3-4.el9_2', { epoch: '2', version: '1.2.3', release: '4.el9_2' }],
    [':1.0', { epoch: '0', version: '1.0', release: undefined }],
    ['1.0~rc1^git2-0.1.fc40', { epoch: '0', version: '1.0~rc1^git2', release: '0.1.fc40' }],
  ])('parses %s', (input, expected) => {
    expect(parseRpmVersion(input)).toEqual(expected);
  });

  it.each([
    ['', 'version string is empty'],
    ['1.0 -1', 'version string has spaces'],
    ['a:1.0', 'epoch is not a number'],
    ['1.0-', 'release is empty'],
    ['-1', 'version is empty'],
    ['1:', 'version is empty'],
    ['1.0-1-2', 'invalid character in version'],
    ['1.0/2', 'invalid character in version'],
    ['1.0-1;rm', 'invalid character in release'],
    ['1..0', 'illegal sequence ".." in version'],
  ])('refuses %j: %s', (input, message) => {
    expect(parseRpmVersion(input)).toBe(message);
  });

  it.each([
    ['1:1.0-1', '2.0-1', 1],
    ['0:1.0-1', '1.0-1', 0],
    ['1.0-1', '1.0-2', -1],
    ['1.0', '1.0-1', -1],
    ['1.0-1', '1.0', 1],
    ['1.0', '1.0', 0],
    ['1.2.3-4.el9', '1.2.3-4.el9_2', -1],
    ['1.2.3-4.el9_2.1', '1.2.3-4.el9_2', 1],
    ['3.0.7-27.el9', '3.0.7-24.el9', 1],
    ['1.0~rc1-1', '1.0-1', -1],
    ['1.0^git1-1', '1.0-1', 1],
    ['010:1-1', '10:1-1', 0],
  ] as const)('%s vs %s = %d (rpmverCmp)', (a, b, expected) => {
    expect(compareRpmVersions(a, b)).toBe(expected);
    expect(compareRpmVersions(b, a)).toBe(-expected || 0);
  });
});
