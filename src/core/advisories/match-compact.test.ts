import { describe, expect, it } from 'vitest';
import type { HostState, InstalledPackage } from '../inventory/host-state.js';
import type { AffectedPackage } from './advisory.js';
import { buildAdvisoryIndex } from './advisory-index.js';
import { groupHits, matchHostCompact } from './match-compact.js';
import { knownExploitedCount, materializeFindings, matchHost } from './match-host.js';
import type { KevEntry } from '../findings/finding.js';

const adv = (pkg: string, cve: string, ranges: AffectedPackage['ranges']): AffectedPackage => ({
  source: 'osv:Debian:12',
  vulnId: `DEBIAN-${cve}`,
  aliases: [cve],
  ecosystem: 'Debian:12',
  package: pkg,
  ranges,
  versions: [],
  severity: [],
});
const fixedAt = (v: string): AffectedPackage['ranges'] => [[{ introduced: '0' }, { fixed: v }]];

const host = (packages: InstalledPackage[], os = 'debian:12', name = 'web-1'): HostState => ({
  schema: 1,
  host: name,
  os,
  scannedAt: '2026-11-25T00:00:00Z',
  packages,
  issues: [],
});
const pkg = (name: string, source: string, version: string): InstalledPackage => ({
  name,
  version,
  source,
});

const index = buildAdvisoryIndex([
  adv('openssl', 'CVE-2024-0001', fixedAt('3.0.15-1~deb12u1')),
  adv('openssl', 'CVE-2024-0002', fixedAt('3.0.11-1~deb12u2')),
  adv('openssl', 'CVE-2024-0003', [[{ introduced: '3.0.14-1' }, { fixed: '3.0.15-1~deb12u1' }]]),
  adv('glibc', 'CVE-2024-0010', fixedAt('2.36-9+deb12u4')),
  adv('glibc', 'CVE-2024-0011', [[{ introduced: '0' }]]),
]);
const intel = { kev: new Map(), epss: new Map(), eolReleases: [] };
const NOW = new Date('2026-11-25T00:00:00Z');

describe('matchHostCompact', () => {
  it.each([
    ['no packages', [], 0, 0],
    ['unaffected source', [pkg('zlib1g', 'zlib', '1:1.2.13.dfsg-1')], 0, 0],
    [
      'two binaries of one source share a group',
      [pkg('libssl3', 'openssl', '3.0.11-1~deb12u1'), pkg('openssl', 'openssl', '3.0.11-1~deb12u1')],
      1,
      2,
    ],
    [
      'two sources',
      [pkg('libssl3', 'openssl', '3.0.11-1~deb12u1'), pkg('libc6', 'glibc', '2.36-9+deb12u3')],
      2,
      4,
    ],
    [
      // 3.0.11 has 0001+0002, 3.0.14 has 0001+0003: merged per vulnerability, three findings
      'one source at two source versions',
      [pkg('libssl3', 'openssl', '3.0.11-1~deb12u1'), pkg('openssl', 'openssl', '3.0.14-1')],
      1,
      3,
    ],
  ] as const)('%s', (_name, packages, groups, findings) => {
    const c = matchHostCompact(host([...packages]), index);
    expect(c.groups).toHaveLength(groups);
    expect(c.findings).toBe(findings);
    const materialized = materializeFindings(c, intel, NOW);
    expect(materialized).toHaveLength(findings);
    expect(materialized).toEqual(matchHost(host([...packages]), index, intel, NOW));
  });

  it('points every host at the same frozen hit list per (package, version)', () => {
    const p = [pkg('libc6', 'glibc', '2.36-9+deb12u3')];
    const a = matchHostCompact(host(p, 'debian:12', 'a'), index).groups.find((g) => g.source === 'glibc')!;
    const b = matchHostCompact(host(p, 'debian:12', 'b'), index).groups.find((g) => g.source === 'glibc')!;
    expect(a.hits).toBe(b.hits);
    expect(Object.isFrozen(a.hits)).toBe(true);
    expect(Object.isFrozen(a.hits[0])).toBe(true);
    expect(a.packages[0]).toBe(p[0]);
  });

  it('keeps, per vulnerability, the hit of the lowest affected source version', () => {
    const c = matchHostCompact(
      host([pkg('openssl', 'openssl', '3.0.14-1'), pkg('libssl3', 'openssl', '3.0.11-1~deb12u1')]),
      index,
    );
    const hits = groupHits(
      c.groups.find((g) => g.source === 'openssl')!,
      c.eco,
    );
    expect(hits.map((h) => [h.info.vulnId, h.fixedVersion])).toEqual([
      ['CVE-2024-0001', '3.0.15-1~deb12u1'],
      ['CVE-2024-0003', '3.0.15-1~deb12u1'],
      ['CVE-2024-0002', '3.0.11-1~deb12u2'],
    ]);
  });

  it('counts known-exploited findings as materializing them would, per intel', () => {
    const kevOf = (cve: string): KevEntry => ({
      cve,
      vendor: 'v',
      product: 'p',
      name: cve,
      dateAdded: '2024-01-01',
      dueDate: '2024-01-22',
      knownRansomwareCampaignUse: 'Unknown',
    });
    const exploited = { ...intel, kev: new Map([['CVE-2024-0002', kevOf('CVE-2024-0002')]]) };
    const more = { ...intel, kev: new Map(['CVE-2024-0001', 'CVE-2024-0011'].map((c) => [c, kevOf(c)])) };
    const hosts = [
      [pkg('libssl3', 'openssl', '3.0.11-1~deb12u1'), pkg('libc6', 'glibc', '2.36-9+deb12u3')],
      [pkg('openssl', 'openssl', '3.0.14-1'), pkg('libssl3', 'openssl', '3.0.11-1~deb12u1')],
      [pkg('libc6', 'glibc', '2.36-9+deb12u3')],
    ];
    for (const i of [exploited, more, intel, exploited])
      for (const packages of hosts) {
        const c = matchHostCompact(host(packages), index);
        const expected = materializeFindings(c, i, NOW).filter((f) => f.kev).length;
        expect(knownExploitedCount(c, i)).toBe(expected);
      }
  });

  it.each(['debian:11', 'plan9:4'])('matches nothing on %s (no advisories for the OS)', (os) => {
    const c = matchHostCompact(host([pkg('libc6', 'glibc', '2.36-9+deb12u3')], os), index);
    expect(c.eco).toBeUndefined();
    expect(c.findings).toBe(0);
    expect(materializeFindings(c, intel, NOW)).toEqual([]);
  });
});
