import { describe, expect, it } from 'vitest';
import { UserError } from '../errors.js';
import { parseOsvRecord } from './parse-osv.js';

const debian = {
  schema_version: '1.6.0',
  id: 'DEBIAN-CVE-2023-44487',
  aliases: ['CVE-2023-44487'],
  modified: '2025-01-02T00:00:00Z',
  published: '2023-10-10T00:00:00Z',
  summary: 'HTTP/2 rapid reset',
  affected: [
    {
      package: { ecosystem: 'Debian:12', name: 'nginx' },
      ranges: [
        { type: 'ECOSYSTEM', events: [{ introduced: '0' }, { fixed: '1.22.1-9+deb12u11' }] },
        { type: 'GIT', repo: 'https://example.org/x.git', events: [{ introduced: 'abc' }] },
      ],
      versions: ['1.22.1-9'],
      ecosystem_specific: { urgency: 'high' },
    },
    {
      package: { ecosystem: 'npm', name: 'left-pad' },
      ranges: [{ type: 'SEMVER', events: [{ introduced: '0' }] }],
    },
  ],
};

describe('parseOsvRecord', () => {
  it('keeps orderable ecosystems with ECOSYSTEM ranges, versions, urgency and dates', () => {
    const { records, unusable } = parseOsvRecord(debian, 'all.zip:DEBIAN-CVE-2023-44487.json');
    expect(records).toEqual([
      {
        source: 'osv:Debian:12',
        vulnId: 'DEBIAN-CVE-2023-44487',
        aliases: ['CVE-2023-44487'],
        ecosystem: 'Debian:12',
        package: 'nginx',
        ranges: [[{ introduced: '0' }, { fixed: '1.22.1-9+deb12u11' }]],
        versions: ['1.22.1-9'],
        severity: [],
        urgency: 'high',
        summary: 'HTTP/2 rapid reset',
        published: '2023-10-10T00:00:00Z',
        modified: '2025-01-02T00:00:00Z',
      },
    ]);
    expect(unusable).toEqual([
      {
        where: 'all.zip:DEBIAN-CVE-2023-44487.json',
        vulnId: 'DEBIAN-CVE-2023-44487',
        ecosystem: 'npm',
        package: 'left-pad',
        reason: 'ecosystem "npm" has no version ordering in patchwise',
      },
    ]);
  });

  it.each([
    ['database_specific.severity', { database_specific: { severity: 'HIGH' } }, {}, 'HIGH'],
    ['record database_specific.severity', {}, { database_specific: { severity: 'MODERATE' } }, 'MODERATE'],
    ['Ubuntu severity entry', {}, { severity: [{ type: 'Ubuntu', score: 'medium' }] }, 'medium'],
    ['none', {}, {}, undefined],
  ])('takes urgency from %s', (_name, aff, top, expected) => {
    const rec = {
      id: 'X-1',
      ...top,
      affected: [{ package: { ecosystem: 'Ubuntu:22.04:LTS', name: 'curl' }, versions: ['1'], ...aff }],
    };
    expect(parseOsvRecord(rec, 'f').records[0]?.urgency).toBe(expected);
  });

  it('keeps severity vectors, preferring the affected entry over the record', () => {
    const v = { type: 'CVSS_V3', score: 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H' };
    const rec = {
      id: 'ALSA-1',
      severity: [v],
      affected: [{ package: { ecosystem: 'AlmaLinux:9', name: 'bash' }, versions: ['1'] }],
    };
    expect(parseOsvRecord(rec, 'f').records[0]?.severity).toEqual([v]);
  });

  it.each([
    ['withdrawn record', { id: 'W-1', withdrawn: '2024-01-01T00:00:00Z', affected: [] }, 'withdrawn'],
    [
      'no ECOSYSTEM range',
      {
        id: 'G-1',
        affected: [
          {
            package: { ecosystem: 'Debian:12', name: 'x' },
            ranges: [{ type: 'GIT', events: [{ introduced: 'a' }] }],
          },
        ],
      },
      'no ECOSYSTEM range and no versions list',
    ],
    ['no package', { id: 'P-1', affected: [{ versions: ['1'] }] }, 'affected entry without a package'],
  ])('counts a %s as unusable', (_name, rec, reason) => {
    const r = parseOsvRecord(rec, 'f');
    expect(r.records).toEqual([]);
    expect(r.unusable.map((u) => u.reason)).toEqual([reason]);
  });

  it('accepts a record without affected (nothing to use)', () => {
    expect(parseOsvRecord({ id: 'A-1', modified: 'x' }, 'f')).toEqual({ records: [], unusable: [] });
  });

  it.each([
    ['not an object', 42, '(no id)', '(record)'],
    ['missing id', { affected: [] }, '(no id)', 'id'],
    ['aliases not an array', { id: 'A-2', aliases: 'CVE-1' }, 'A-2', 'aliases'],
    [
      'bad event',
      {
        id: 'A-3',
        affected: [
          {
            package: { ecosystem: 'Debian:12', name: 'x' },
            ranges: [{ type: 'ECOSYSTEM', events: [{ fixed: 1 }] }],
          },
        ],
      },
      'A-3',
      'affected[0].ranges[0].events[0]',
    ],
    [
      'package without name',
      { id: 'A-4', affected: [{ package: { ecosystem: 'Debian:12' } }] },
      'A-4',
      'affected[0].package.name',
    ],
  ])('rejects %s naming file, record and field', (_name, rec, id, field) => {
    let err: unknown;
    try {
      parseOsvRecord(rec, 'feeds/all.zip:X.json');
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(UserError);
    const msg = (err as UserError).message;
    expect(msg).toContain('feeds/all.zip:X.json');
    expect(msg).toContain(`record ${id}`);
    expect(msg).toContain(`field ${field}`);
  });
});
