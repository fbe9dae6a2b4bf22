import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { ScanResult } from '../src/app/scan.js';
import { FIXTURES, parseNdjson, runCli, SNAPSHOT, tempDir } from './helpers/cli.js';

const STATUS = path.join(FIXTURES, 'status/minbase-bookworm.status');
const OSV = path.join(SNAPSHOT, 'debian-12-osv.zip');

function write(content: string | Buffer): string {
  const file = path.join(tempDir(), 'status');
  fs.writeFileSync(file, content);
  return file;
}

function scan(dir: string, file: string): { code: number; results: ScanResult[]; stderr: string } {
  const r = runCli([
    '--data-dir',
    dir,
    'scan',
    '--from-status',
    file,
    '--os',
    'debian:12',
    '--name',
    'h1',
    '--json',
  ]);
  return {
    code: r.code,
    results: r.code === 2 ? [] : (JSON.parse(r.stdout) as ScanResult[]),
    stderr: r.stderr,
  };
}

describe('patchwise scan --from-status', () => {
  it('records a real status file', () => {
    const r = scan(tempDir(), STATUS);
    expect(r.code).toBe(0);
    expect(r.results).toEqual([{ host: 'h1', status: 'ok', packages: 88, issues: [] }]);
  });

  it('records garbage lines as issues and keeps the good packages', () => {
    const bad = [
      'Package: evil;rm -rf /\nStatus: install ok installed\nVersion: 1.0',
      'Package: evil2\nStatus: install ok installed\nVersion: $(reboot)',
      `Package: ${'x'.repeat(100_000)}\nStatus: install ok installed\nVersion: 1`,
      'Package: bin\x00ary\nStatus: install ok installed\nVersion: 1',
    ].join('\n\n');
    const r = scan(tempDir(), write(`${bad}\n\n${fs.readFileSync(STATUS, 'utf8')}`));
    expect(r.code).toBe(0);
    expect(r.results[0]).toMatchObject({ status: 'ok', packages: 88 });
    const messages = r.results[0]!.issues.map((i) => i.message).join('\n');
    for (const re of [/invalid package name/, /invalid version/, /limit/, /control or binary/])
      expect(messages).toMatch(re);
  });

  it.each([
    ['empty', ''],
    ['binary', Buffer.from(Array.from({ length: 65536 }, (_, i) => (i * 131) % 256))],
  ])('marks a scan of a %s file failed with issues, exit 3', (_n, content) => {
    const r = scan(tempDir(), write(content));
    expect(r.code).toBe(3);
    expect(r.results[0]).toMatchObject({ status: 'failed', packages: 0 });
    expect(r.results[0]!.issues.length).toBeGreaterThan(0);
  });

  it.each([
    [['--os', 'plan9:4'], /not one patchwise can match/],
    [['--os', 'rocky:9'], /cannot describe/],
    [['--name', 'bad name;id'], /not allowed/],
    [['--from-status', '/no/such/file'], /Cannot read the status file/],
  ])('refuses %j with exit 2', (override, re) => {
    const args = { '--from-status': STATUS, '--os': 'debian:12', '--name': 'h1' } as Record<string, string>;
    args[override[0]!] = override[1]!;
    const r = runCli(['--data-dir', tempDir(), 'scan', ...Object.entries(args).flat()]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(re);
  });
});

describe('patchwise scan --local, findings and assess', () => {
  it('scans this machine', () => {
    const r = runCli(['--data-dir', tempDir(), 'scan', '--local', '--name', 'here', '--json']);
    expect(r.code, r.stderr).toBe(0);
    const [res] = JSON.parse(r.stdout) as ScanResult[];
    expect(res).toMatchObject({ host: 'here', status: 'ok' });
    expect(res!.packages).toBeGreaterThan(50);
  });

  it('says to import feeds when the store has no advisories', () => {
    const dir = tempDir();
    expect(scan(dir, STATUS).code).toBe(0);
    for (const cmd of [['findings'], ['assess']]) {
      const r = runCli(['--data-dir', dir, ...cmd]);
      expect(r.code).toBe(2);
      expect(r.stderr).toContain('patchwise feeds import feeds/snapshot');
    }
  });

  it('assess prints the fleet table, the ranked findings with their decisions, and the one-line summary', () => {
    const dir = tempDir();
    expect(runCli(['--data-dir', dir, 'feeds', 'import', OSV]).code).toBe(0);
    expect(scan(dir, STATUS).code).toBe(0);
    const r = runCli(['--data-dir', dir, 'assess', '--limit', '3']);
    expect(r.code, r.stderr).toBe(0);
    const [fleet = '', findings = ''] = r.stdout.trim().split('\n\n');
    const hostLines = fleet.split('\n');
    expect(hostLines[0]).toMatch(/^HOST\s+TIER\s+EXPOSURE\s+ACTION\s+DUE\s+FINDINGS\s+KEV\s+WORST/);
    expect(hostLines).toHaveLength(2);
    const lines = findings.split('\n');
    expect(lines[0]).toMatch(
      /^HOST\s+PACKAGE\s+INSTALLED\s+FIXED\s+CVE\s+KEV\s+EPSS\s+CVSS\s+URGENCY\s+ACTION\s+DUE$/,
    );
    expect(lines).toHaveLength(6);
    expect(lines.at(-1)).toMatch(
      /^1 host, \d+ findings: 0 known-exploited, \d+ fixable, 0 without a fix; worst: .* Actions: /,
    );
    const json = parseNdjson<{ type: string; findings: number }>(
      runCli(['--data-dir', dir, 'assess', '--json']).stdout,
    );
    expect(json.records.find((x) => x.type === 'summary')!.findings).toBeGreaterThan(3);
  });
});
