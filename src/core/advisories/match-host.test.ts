import { describe, expect, it } from 'vitest';
import type { EpssScore, KevEntry } from '../findings/finding.js';
import type { EolRelease } from '../intel/eol.js';
import type { HostState, InstalledPackage } from '../inventory/host-state.js';
import type { AffectedPackage } from './advisory.js';
import { buildAdvisoryIndex } from './advisory-index.js';
import { matchHost, pickCvss } from './match-host.js';

const adv = (
  pkg: string,
  cve: string,
  fixed: string | null,
  extra: Partial<AffectedPackage> = {},
): AffectedPackage => ({
  source: 'osv:Debian:12',
  vulnId: `DEBIAN-${cve}`,
  aliases: [cve],
  ecosystem: 'Debian:12',
  package: pkg,
  ranges: [fixed ? [{ introduced: '0' }, { fixed }] : [{ introduced: '0' }]],
  versions: [],
  severity: [],
  ...extra,
});

const host = (packages: InstalledPackage[], os = 'debian:12'): HostState => ({
  schema: 1,
  host: 'web-1',
  os,
  scannedAt: '2026-11-25T00:00:00Z',
  packages,
  issues: [],
});

const KEV: KevEntry = {
  cve: 'CVE-2023-44487',
  vendor: 'IETF',
  product: 'HTTP/2',
  name: 'HTTP/2 Rapid Reset',
  dateAdded: '2023-10-10',
  dueDate: '2023-10-31',
  knownRansomwareCampaignUse: 'Unknown',
};
const EPSS: EpssScore = { cve: 'CVE-2023-44487', score: 0.944, percentile: 0.999 };
const EOL: EolRelease[] = [
  { distro: 'debian', version: '12', codename: 'Bookworm', series: 'bookworm', eol: '2026-06-10' },
];
const intel = { kev: new Map([[KEV.cve, KEV]]), epss: new Map([[EPSS.cve, EPSS]]), eolReleases: EOL };
const NOW = new Date('2026-11-25T00:00:00Z');

describe('matchHost', () => {
  const index = buildAdvisoryIndex([
    adv('nginx', 'CVE-2023-44487', '1.22.1-9+deb12u11', { urgency: 'high' }),
    adv('nginx', 'CVE-2023-44487', '1.22.1-9+deb12u11', {
      source: 'debian-tracker:bookworm',
      vulnId: 'CVE-2023-44487',
      aliases: [],
    }),
    adv('openssl', 'CVE-2024-0002', null),
    adv('glibc', 'CVE-2024-0003', '2.36-9+deb12u11'),
  ]);

  it('matches the source package and version, one finding per vulnerability with its binaries', () => {
    const f = matchHost(
      host([
        { name: 'nginx', version: '1.22.1-9+deb12u9', source: 'nginx' },
        { name: 'nginx-common', version: '1.22.1-9+deb12u9', source: 'nginx' },
        {
          name: 'libnginx-mod-http-geoip',
          version: '1.22.1-9+deb12u9+b1',
          source: 'nginx',
          sourceVersion: '1.22.1-9+deb12u9',
        },
      ]),
      index,
      intel,
      NOW,
    );
    expect(f).toHaveLength(1);
    expect(f[0]).toMatchObject({
      host: 'web-1',
      package: 'nginx',
      binaries: ['nginx', 'nginx-common', 'libnginx-mod-http-geoip'],
      installedVersion: '1.22.1-9+deb12u9',
      fixedVersion: '1.22.1-9+deb12u11',
      vulnId: 'CVE-2023-44487',
      cves: ['CVE-2023-44487'],
      kev: KEV,
      epss: EPSS,
      urgency: 'high',
      osEol: true,
      sources: ['osv:Debian:12', 'debian-tracker:bookworm'],
    });
  });

  it.each([
    ['fixed version installed', 'nginx', '1.22.1-9+deb12u11', 0],
    ['newer than the fix', 'nginx', '1.22.1-9+deb12u12', 0],
    ['no fix yet', 'openssl', '3.0.15-1~deb12u1', 1],
    ['package without advisories', 'bash', '5.2.15-2', 0],
  ])('%s', (_n, name, version, count) => {
    expect(matchHost(host([{ name, version, source: name }]), index, intel, NOW)).toHaveLength(count);
  });

  it('uses the source version, not the binNMU binary version', () => {
    const p = {
      name: 'libc6',
      version: '2.36-9+deb12u11+b1',
      source: 'glibc',
      sourceVersion: '2.36-9+deb12u10',
    };
    expect(matchHost(host([p]), index, intel, NOW)[0]?.installedVersion).toBe('2.36-9+deb12u10');
  });

  it('reports the lowest installed source version when binaries disagree', () => {
    const f = matchHost(
      host([
        { name: 'libc-bin', version: '2.36-9+deb12u10', source: 'glibc' },
        { name: 'libc6', version: '2.36-9+deb12u9', source: 'glibc' },
      ]),
      index,
      intel,
      NOW,
    );
    expect(f).toHaveLength(1);
    expect(f[0]).toMatchObject({ installedVersion: '2.36-9+deb12u9', binaries: ['libc-bin', 'libc6'] });
  });

  it('matches nothing for an OS without advisories or one patchwise cannot order', () => {
    const p = [{ name: 'nginx', version: '1.0', source: 'nginx' }];
    expect(matchHost(host(p, 'debian:11'), index, intel, NOW)).toEqual([]);
    expect(matchHost(host(p, 'plan9:4'), index, intel, NOW)).toEqual([]);
  });
});

describe('pickCvss', () => {
  it('prefers the highest CVSS version that scores', () => {
    const hit = {
      vulnId: 'CVE-1',
      aliases: [],
      cves: [],
      fixedVersion: null,
      sources: [],
      severity: [
        { type: 'CVSS_V3', score: 'CVSS:3.0/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H' },
        { type: 'CVSS_V3', score: 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:H' },
        { type: 'CVSS_V4', score: 'CVSS:4.0/garbage' },
      ],
    };
    expect(pickCvss(hit)).toEqual({ version: '3.1', vector: hit.severity[1]!.score, score: 7.5 });
  });
});
