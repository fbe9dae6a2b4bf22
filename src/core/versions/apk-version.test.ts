import { describe, expect, it } from 'vitest';
import { APK_LINES } from '../../../test/versions-fixtures.js';
import { compareApkVersions, compareParsedApk, parseApkVersion, tokenizeApkVersion } from './apk-version.js';

/** apk-tools' test/unit/version.data: `A op B` lines, bare valid versions, and `!`-prefixed invalid ones. */
const lines = APK_LINES;

const comparisons = lines
  .map((l) => ({ ...l, parts: l.text.split(/\s+/) }))
  .filter((l) => l.parts.length === 3)
  .map(({ line, parts: [a, op, b] }) => ({ line, a: a!, op: op!, b: b! }));
const validity = lines.filter((l) => !/\s/.test(l.text));

/** Raw comparison as apk does it, invalid versions included (the table has a few on purpose). */
function apkCompare(a: string, b: string, fuzzy = false): number {
  return compareParsedApk(tokenizeApkVersion(a), tokenizeApkVersion(b), fuzzy);
}

/** apk_version_match(): `<`, `>`, `=` on the plain comparison, `~` forms on the fuzzy one, `!` negates. */
function apkMatch(a: string, op: string, b: string): boolean {
  const negate = op.startsWith('!');
  const o = negate ? op.slice(1) : op;
  const fuzzy = o.includes('~');
  const r = apkCompare(a, b, fuzzy);
  const ok =
    (r < 0 && o.includes('<')) || (r > 0 && o.includes('>')) || (r === 0 && (o.includes('=') || fuzzy));
  return negate ? !ok : ok;
}

describe('apk version ordering (apk-tools test/unit/version.data)', () => {
  it('reads the whole table', () => {
    expect(comparisons.length).toBe(754);
    expect(validity.length).toBe(31);
  });

  it.each(comparisons)('line $line: $a $op $b', ({ a, op, b }) => {
    expect(apkMatch(a, op, b)).toBe(true);
    if (op === '<' || op === '>' || op === '=') {
      const reversed = op === '<' ? '>' : op === '>' ? '<' : '=';
      expect(apkMatch(b, reversed, a)).toBe(true);
    }
  });

  it.each(validity)('line $line: $text', ({ text }) => {
    const invalid = text.startsWith('!');
    const v = invalid ? text.slice(1) : text;
    expect(typeof parseApkVersion(v) === 'string').toBe(invalid);
  });
});

describe('apk versions', () => {
  it.each([
    ['1.2.3-r0', '1.2.3-r1', -1],
    ['1.2.3', '1.2.3-r0', -1],
    ['1.2.3_rc1-r5', '1.2.3-r0', -1],
    ['1.2.3_p1-r0', '1.2.3-r9', 1],
    ['1.2.3_git20240101', '1.2.3', 1],
    ['1.2.3a', '1.2.3', 1],
    ['1.2.3a', '1.2.3b', -1],
    ['1.02', '1.1', -1],
    ['1.2', '1.10', -1],
    ['3.0.15-r1', '3.0.15-r0', 1],
    ['1.0~abc', '1.0', 1],
    ['1.0~abc-r0', '1.0~abd-r0', -1],
    ['99999999999999999999.1', '99999999999999999998.1', 1],
  ] as const)('%s vs %s = %d', (a, b, expected) => {
    expect(compareApkVersions(a, b)).toBe(expected);
    expect(compareApkVersions(b, a)).toBe(-expected || 0);
  });

  it.each([
    ['', 'version string is empty'],
    ['a1', 'version does not start with a digit'],
    ['1.0-1', 'invalid from "-1" (expected digit{.digit}...{letter}{_suffix{N}}...{~hash}{-rN})'],
    ['1.0_foo', 'invalid from "_foo" (expected digit{.digit}...{letter}{_suffix{N}}...{~hash}{-rN})'],
  ])('refuses %j: %s', (input, message) => {
    expect(parseApkVersion(input)).toBe(message);
  });

  it('throws, naming the version, when comparing an invalid one', () => {
    expect(() => compareApkVersions('1.0', '1.0-1')).toThrow(/invalid apk version "1.0-1"/);
  });
});
