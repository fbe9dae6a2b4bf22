import { describe, expect, it } from 'vitest';
import { UserError } from '../errors.js';
import { osEndOfLife, parseEolCsv } from './eol.js';

const debianCsv = `version,codename,series,created,release,eol,eol-lts,eol-elts
11,Bullseye,bullseye,2019-07-06,2021-08-14,2024-08-14,2026-08-31,2031-06-30
12,Bookworm,bookworm,2021-08-14,2023-06-10,2026-07-11,2028-06-30,2033-06-30
13,Trixie,trixie,2023-06-10,2025-08-09
,Sid,sid,1993-08-16
`;
const ubuntuCsv = `version,codename,series,created,release,eol,eol-server,eol-esm,eol-legacy
22.04 LTS,Jammy Jellyfish,jammy,2021-10-14,2022-04-21,2027-06-01,2027-06-01,2032-04-21,2034-04-25
24.10,Oracular Oriole,oracular,2024-04-25,2024-10-10,2025-07-10
`;

describe('parseEolCsv', () => {
  it('reads Debian rows with LTS and ELTS dates', () => {
    const { distro, releases } = parseEolCsv(debianCsv, 'debian.csv');
    expect(distro).toBe('debian');
    expect(releases[1]).toEqual({
      distro: 'debian',
      version: '12',
      codename: 'Bookworm',
      series: 'bookworm',
      created: '2021-08-14',
      release: '2023-06-10',
      eol: '2026-07-11',
      eolLts: '2028-06-30',
      eolElts: '2033-06-30',
    });
    expect(releases[3]).toEqual({
      distro: 'debian',
      version: '',
      codename: 'Sid',
      series: 'sid',
      created: '1993-08-16',
    });
  });

  it('tells Ubuntu by its columns and drops the LTS suffix', () => {
    const { distro, releases } = parseEolCsv(ubuntuCsv, 'ubuntu.csv');
    expect(distro).toBe('ubuntu');
    expect(releases[0]).toMatchObject({
      version: '22.04',
      series: 'jammy',
      eol: '2027-06-01',
      eolLts: '2027-06-01',
      eolElts: '2032-04-21',
    });
  });

  it.each([
    ['wrong header', 'cve,epss,percentile\n', 'not a distro-info-data CSV'],
    [
      'bad date',
      'version,codename,series,created,release,eol\n12,B,bookworm,2021-08-14,soon\n',
      'line 2: field release',
    ],
  ])('rejects a %s', (_n, text, msg) => {
    expect(() => parseEolCsv(text, 'x.csv')).toThrow(UserError);
    expect(() => parseEolCsv(text, 'x.csv')).toThrow(msg);
  });
});

describe('osEndOfLife', () => {
  const releases = [...parseEolCsv(debianCsv, 'd').releases, ...parseEolCsv(ubuntuCsv, 'u').releases];
  it.each([
    ['debian:12', '2026-07-11T23:00:00Z', { eol: false, date: '2026-07-11' }],
    ['debian:12', '2026-07-12T00:00:00Z', { eol: true, date: '2026-07-11' }],
    ['debian:12.5', '2027-01-01T00:00:00Z', { eol: true, date: '2026-07-11' }],
    ['debian:11', '2025-01-01T00:00:00Z', { eol: true, date: '2024-08-14' }],
    ['debian:13', '2030-01-01T00:00:00Z', { eol: false }],
    ['ubuntu:22.04', '2026-01-01T00:00:00Z', { eol: false, date: '2027-06-01' }],
    ['ubuntu:24.10', '2026-01-01T00:00:00Z', { eol: true, date: '2025-07-10' }],
    ['alpine:3.20', '2026-01-01T00:00:00Z', { eol: false }],
    ['debian:99', '2026-01-01T00:00:00Z', { eol: false }],
  ])('%s at %s', (os, at, expected) => {
    expect(osEndOfLife(releases, os, new Date(at))).toEqual(expected);
  });
});
