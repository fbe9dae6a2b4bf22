import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import {
  compareParsed,
  compareVersions,
  parseVersion,
  resolveVersionScheme,
  validateVersion,
} from './compare-versions.js';
import type { VersionScheme } from './ecosystem.js';

describe('compareVersions', () => {
  it.each([
    ['debian', '1.22.1-9+deb12u9', '1.22.1-9+deb12u11', -1],
    ['debian', '1:2.0', '3.0', 1],
    ['debian', '2.36-9+deb12u4', '2.36-9+deb12u4', 0],
    ['rpm', '3.0.7-27.el9', '1:3.0.7-24.el9', -1],
    ['rpm', '1.0^git1-1', '1.0-1', 1],
    ['rpm', '5.14.0-427.13.1.el9_4', '5.14.0-427.13.1.el9_4', 0],
    ['alpine', '3.3.2-r0', '3.3.1-r3', 1],
    ['alpine', '1.36.1_rc1-r0', '1.36.1-r0', -1],
    ['alpine', '8.9.1-r0', '8.9.1-r0', 0],
  ] as const)('%s: %s vs %s = %d', (scheme, a, b, expected) => {
    expect(compareVersions(scheme, a, b)).toBe(expected);
    expect(compareVersions(scheme, b, a)).toBe(-expected || 0);
  });

  it('throws an Error naming the scheme and the version', () => {
    expect(() => compareVersions('debian', 'a:b', '1')).toThrow(
      'invalid debian version "a:b": epoch in version is not number',
    );
    expect(() => compareVersions('alpine', '1', '1-1')).toThrow(/invalid alpine version "1-1"/);
  });
});

describe('validateVersion', () => {
  it.each([
    ['debian', '1.0-1', undefined],
    ['debian', ' 1.0-1 ', undefined],
    ['debian', '1.0-', 'revision number is empty'],
    ['rpm', '1:1.0-1.el9', undefined],
    ['rpm', '1.0-1-1', 'invalid character in version'],
    ['alpine', '1.0_rc1-r2', undefined],
    ['alpine', 'v1.0', 'version does not start with a digit'],
  ] as const)('%s %j: %s', (scheme, v, expected) => {
    expect(validateVersion(scheme, v)).toBe(expected);
  });

  it('rejects an unknown scheme instead of guessing', () => {
    expect(validateVersion('pypi' as VersionScheme, '1.0')).toBe('unknown version scheme "pypi"');
  });
});

describe('parseVersion + compareParsed', () => {
  it.each(['debian', 'rpm', 'alpine'] as const)(
    '%s: sorts parsed versions like compareVersions',
    (scheme) => {
      const versions = {
        debian: ['1.0-1', '1.0~rc1-1', '1:0.9', '1.0-1+deb12u1', '1.0.1-1', '1.0-1~bpo1'],
        rpm: ['1.0-1', '1.0~rc1-1', '1:0.9-1', '1.0-1.el9', '1.0.1-1', '1.0^git1-1'],
        alpine: ['1.0-r1', '1.0_rc1-r0', '1.0_p1-r0', '1.0-r0', '1.0.1-r0', '1.0a-r0'],
      }[scheme];
      const parsed = versions.map((v) => {
        const p = parseVersion(scheme, v);
        if (typeof p === 'string') throw new Error(p);
        return { v, p };
      });
      const byParsed = [...parsed].sort((x, y) => compareParsed(scheme, x.p, y.p)).map((x) => x.v);
      const byString = [...versions].sort((x, y) => compareVersions(scheme, x, y));
      expect(byParsed).toEqual(byString);
    },
  );

  it('returns the error message for an invalid version', () => {
    expect(parseVersion('rpm', '')).toBe('version string is empty');
  });
});

describe('resolveVersionScheme', () => {
  it.each([
    ['debian', 'debian'],
    ['dpkg', 'debian'],
    ['Ubuntu', 'debian'],
    ['rpm', 'rpm'],
    ['rhel', 'rpm'],
    ['rocky', 'rpm'],
    ['alma', 'rpm'],
    ['fedora', 'rpm'],
    ['alpine', 'alpine'],
    ['apk', 'alpine'],
    ['pypi', undefined],
    ['toString', undefined],
  ])('%s -> %s', (name, scheme) => {
    expect(resolveVersionScheme(name)).toBe(scheme);
  });
});

describe('every ordering is a total preorder (property)', () => {
  const num = fc.stringMatching(/^0?[0-9]{1,2}$/);
  const gens: Record<VersionScheme, fc.Arbitrary<string>> = {
    debian: fc
      .tuple(
        fc.constantFrom('', '1:'),
        num,
        fc.stringMatching(/^[0-9a-z.+~]{0,5}$/),
        fc.constantFrom('', '-1', '-0~1'),
      )
      .map((p) => p.join('')),
    rpm: fc
      .tuple(
        fc.constantFrom('', '1:'),
        num,
        fc.stringMatching(/^[0-9a-z+~^]{0,5}$/),
        fc.constantFrom('', '-1', '-1.el9'),
      )
      .map((p) => p.join('')),
    alpine: fc
      .tuple(
        num,
        fc.constantFrom('', '.0', '.10', '.01', 'a'),
        fc.constantFrom('', '_rc1', '_p', '_alpha_pre2'),
      )
      .chain((p) => fc.constantFrom('', '-r0', '-r2', '~ab').map((r) => p.join('') + r)),
  };
  it.each(['debian', 'rpm', 'alpine'] as const)('%s: antisymmetric and transitive', (scheme) => {
    const v = gens[scheme].filter((s) => validateVersion(scheme, s) === undefined);
    fc.assert(
      fc.property(v, v, v, (a, b, c) => {
        const ab = compareVersions(scheme, a, b);
        expect(compareVersions(scheme, b, a)).toBe(-ab || 0);
        if (ab <= 0 && compareVersions(scheme, b, c) <= 0)
          expect(compareVersions(scheme, a, c)).toBeLessThanOrEqual(0);
      }),
      { numRuns: 2000 },
    );
  });
});
