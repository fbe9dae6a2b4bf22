import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { readFixture } from '../../../test/helpers/read-fixture.js';
import type { InstalledPackage } from './host-state.js';
import { PACKAGE_FORMATS, type PackageFormat } from './os-families.js';
import { PACKAGE_CODECS, parsePackageList } from './package-formats.js';
import { parseApkInstalled } from './parse-apk-installed.js';
import { parseDpkgStatus } from './parse-dpkg-status.js';
import { parseRpmQuery } from './parse-rpm-query.js';

const encode = (s: string) => new TextEncoder().encode(s);
const roundTrip = (format: PackageFormat, packages: InstalledPackage[]) =>
  parsePackageList(format, encode(PACKAGE_CODECS[format].render(packages)));

describe('stored package lists: parse(render(packages)) gives back the packages', () => {
  it.each([
    ['dpkg-query', () => parseDpkgStatus(readFixture('decide', 'web-status')).packages],
    ['rpm-query', () => parseRpmQuery(readFixture('collect', 'rpm-qa-qf.txt')).packages],
    ['apk-installed', () => parseApkInstalled(readFixture('collect', 'apk-installed.txt')).packages],
  ] as const)('%s, from the captured fixture', (format, read) => {
    const packages = read();
    expect(packages.length).toBeGreaterThan(3);
    const back = roundTrip(format, packages);
    expect(back.issues).toEqual([]);
    expect(back.packages).toEqual(packages);
  });

  const digits = fc.integer({ min: 0, max: 999 }).map(String);
  const word = (chars: string, max = 8) =>
    fc.string({ unit: fc.constantFrom(...chars), minLength: 1, maxLength: max });
  const lower = 'abcdefghijklmnopqrstuvwxyz0123456789';
  const opt = <T>(a: fc.Arbitrary<T>) => fc.option(a, { nil: undefined });
  const clean = (p: InstalledPackage): InstalledPackage => {
    const out: InstalledPackage = { name: p.name, version: p.version, source: p.source };
    if (p.sourceVersion !== undefined && p.sourceVersion !== p.version) out.sourceVersion = p.sourceVersion;
    if (p.arch !== undefined) out.arch = p.arch;
    return out;
  };
  const pkg = (
    name: fc.Arbitrary<string>,
    version: fc.Arbitrary<string>,
    sourceVersion: (v: string) => fc.Arbitrary<string | undefined>,
    arch: fc.Arbitrary<string | undefined>,
  ) =>
    fc
      .record({ name, source: name, version, arch })
      .chain((p) => sourceVersion(p.version).map((sv) => clean({ ...p, sourceVersion: sv })));

  const dpkgName = fc.tuple(word(lower, 1), word(`${lower}+.-`, 12)).map(([a, b]) => a + b);
  const dpkgVersion = fc
    .tuple(opt(fc.integer({ min: 1, max: 9 })), digits, word(`${lower}.+~`, 6), opt(word(`${lower}.+~`, 6)))
    .map(([e, d, up, rev]) => `${e ? `${e}:` : ''}${d}${up}${rev ? `-${rev}` : ''}`);
  const rpmName = fc.tuple(word('abcXYZ09_+', 1), word('abcXYZ09._+-', 12)).map(([a, b]) => a + b);
  const rpmVr = word('abcXYZ019._+~^', 8);
  const rpmEvr = (epoch?: number) =>
    fc.tuple(rpmVr, rpmVr).map(([v, r]) => `${epoch ? `${epoch}:` : ''}${v}-${r}`);
  const apkVersion = fc
    .tuple(digits, opt(digits), opt(fc.constantFrom('a', 'b')), opt(fc.constantFrom('_rc1', '_p2')), digits)
    .map(([a, b, l, s, r]) => `${a}${b ? `.${b}` : ''}${l ?? ''}${s ?? ''}-r${r}`);

  const generators: Record<PackageFormat, fc.Arbitrary<InstalledPackage>> = {
    'dpkg-query': pkg(dpkgName, dpkgVersion, () => opt(dpkgVersion), opt(fc.constantFrom('amd64', 'all'))),
    'rpm-query': fc
      .integer({ min: 0, max: 3 })
      .chain((epoch) =>
        pkg(rpmName, rpmEvr(epoch), () => opt(rpmEvr(epoch)), opt(fc.constantFrom('x86_64', 'noarch'))),
      ),
    'apk-installed': pkg(
      rpmName.map((n) => n.replace(/^\+/, 'p')),
      apkVersion,
      () => fc.constant(undefined),
      opt(fc.constant('x86_64')),
    ),
  };

  it.each(PACKAGE_FORMATS)('%s, for generated packages', (format) => {
    const withSource = generators[format].chain((p) =>
      fc.boolean().map((other) => (other ? { ...p, source: `${p.name}-src` } : p)),
    );
    fc.assert(
      fc.property(fc.array(withSource, { maxLength: 20 }), (packages) => {
        const back = roundTrip(format, packages);
        expect(back.packages).toEqual(packages);
      }),
    );
  });
});
