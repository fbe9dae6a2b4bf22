import fs from 'node:fs';
import path from 'node:path';
import { gzipSync, strToU8, unzipSync, zipSync } from 'fflate';
import { beforeAll, describe, expect, it } from 'vitest';
import { runCli, SNAPSHOT, tempDir } from './helpers/cli.js';

const ZIP = path.join(SNAPSHOT, 'debian-12-osv.zip');
const KEV = path.join(SNAPSHOT, 'known_exploited_vulnerabilities.json');
const EPSS = path.join(SNAPSHOT, 'epss_scores-sample-head100.csv');

interface Status {
  source: string;
  records: number;
  unusable: number;
  dataDate: string | null;
  importedAt: string;
  meta: Record<string, unknown>;
}

function status(dataDir: string): Status[] {
  const r = runCli(['-d', dataDir, 'feeds', 'status', '--json']);
  expect(r.code, r.stderr).toBe(0);
  return JSON.parse(r.stdout) as Status[];
}

function write(dir: string, name: string, data: string | Uint8Array): string {
  const file = path.join(dir, name);
  fs.writeFileSync(file, data);
  return file;
}

describe('patchwise feeds import (real CLI, real SQLite)', () => {
  it('imports the shipped offline snapshot, skipping its documentation', () => {
    const dataDir = tempDir();
    const r = runCli(['-d', dataDir, 'feeds', 'import', 'feeds/snapshot']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/ATTRIBUTION\.md: skipped \(not a feed file\)/);
    const byName = Object.fromEntries(status(dataDir).map((s) => [s.source, s]));
    expect(Object.keys(byName).sort()).toEqual(['eol:debian', 'eol:ubuntu', 'epss', 'kev', 'osv:Debian:12']);
    expect(byName['osv:Debian:12']).toMatchObject({ records: 9760, unusable: 0 });
    expect(byName.kev).toMatchObject({ records: 1404, dataDate: '2025-08-25T17:04:19.9796Z' });
    expect(byName.kev?.meta).toMatchObject({ catalogVersion: '2025.08.25' });
    expect(byName.epss).toMatchObject({ records: 100, dataDate: '2026-09-29T12:00:22Z' });
    expect(byName.epss?.meta).toMatchObject({ modelVersion: 'v2026.06.15' });
    expect(byName['eol:debian']?.records).toBeGreaterThan(20);
  });

  it('tells a gzipped EPSS CSV and a directory of OSV records by content, counting unusable ecosystems', () => {
    const dataDir = tempDir();
    const dir = tempDir();
    write(dir, 'scores', gzipSync(fs.readFileSync(EPSS)));
    const entries = unzipSync(fs.readFileSync(ZIP));
    const names = Object.keys(entries).slice(0, 3);
    for (const n of names) write(dir, n, entries[n]!);
    const npm = {
      id: 'GHSA-xxxx',
      modified: '2025-05-01T00:00:00Z',
      affected: [{ package: { ecosystem: 'npm', name: 'x' }, versions: ['1'] }],
    };
    write(dir, 'ghsa.json', JSON.stringify(npm));
    const r = runCli(['-d', dataDir, 'feeds', 'import', '--json', dir]);
    expect(r.code, r.stderr).toBe(0);
    const byName = Object.fromEntries(status(dataDir).map((s) => [s.source, s]));
    expect(byName.epss?.records).toBe(100);
    expect(byName['osv:Debian:12']?.meta).toMatchObject({ osvRecords: 4 });
    expect(byName['osv:npm']).toMatchObject({ records: 0, unusable: 1 });
    expect(byName['osv:npm']?.meta).toMatchObject({
      unusableReasons: { 'ecosystem "npm" has no version ordering in patchwise': 1 },
    });
  });

  describe('a broken input changes nothing', () => {
    const dataDir = tempDir();
    const dir = tempDir();
    let before: Status[];
    beforeAll(() => {
      const r = runCli(['-d', dataDir, 'feeds', 'import', ZIP, KEV, EPSS]);
      expect(r.code, r.stderr).toBe(0);
      before = status(dataDir);
    });

    const badRecordZip = () => {
      const rec = {
        id: 'DEBIAN-CVE-2099-0001',
        affected: [
          {
            package: { ecosystem: 'Debian:12', name: 'x' },
            ranges: [{ type: 'ECOSYSTEM', events: [{ fixed: 7 }] }],
          },
        ],
      };
      return zipSync({ 'DEBIAN-CVE-2099-0001.json': strToU8(JSON.stringify(rec)) });
    };
    const badKev = () => {
      const kev = JSON.parse(fs.readFileSync(KEV, 'utf8'));
      kev.vulnerabilities[3].dueDate = 'next week';
      return JSON.stringify(kev);
    };
    const cases: [string, () => string | Uint8Array, RegExp][] = [
      [
        'a truncated zip',
        () => fs.readFileSync(ZIP).subarray(0, 1_000_000),
        /truncated\.zip: the zip archive is truncated or corrupt/,
      ],
      ['invalid JSON', () => fs.readFileSync(KEV, 'utf8').slice(0, 5000), /invalid\.json: invalid JSON/],
      [
        'an OSV record breaking the schema',
        badRecordZip,
        /DEBIAN-CVE-2099-0001\.json: OSV record DEBIAN-CVE-2099-0001: field affected\[0\]\.ranges\[0\]\.events\[0\]/,
      ],
      [
        'a KEV entry breaking the schema',
        badKev,
        /record vulnerabilities\[3\] \(CVE-[\d-]+\): field dueDate: must match format "date"/,
      ],
      [
        'a wrong file type',
        () => '\x89PNG\r\n\x1a\n',
        /wrong\.bin: not a feed file patchwise knows: expected an OSV all\.zip/,
      ],
      ['a bad EPSS row', () => 'cve,epss,percentile\nCVE-2024-1234,1.5,0.3\n', /line 2: field epss/],
    ];
    const files = ['truncated.zip', 'invalid.json', 'bad-record.zip', 'bad-kev.json', 'wrong.bin', 'bad.csv'];

    it.each(cases.map((c, i) => [...c, files[i]!] as const))('%s', (_name, make, message, file) => {
      const bad = write(dir, file, make());
      // A good file beside the bad one must not be imported either: all or nothing.
      const r = runCli(['-d', dataDir, 'feeds', 'import', KEV, bad]);
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(message);
      expect(status(dataDir)).toEqual(before);
    });

    it('names an explicit non-feed file as a user error', () => {
      const r = runCli(['-d', dataDir, 'feeds', 'import', 'feeds/snapshot/ATTRIBUTION.md']);
      expect(r.code).toBe(2);
      expect(r.stderr).toContain('ATTRIBUTION.md: not a feed file');
    });
  });
});
