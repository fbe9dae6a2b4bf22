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
    expect(r.results).toEqual([
      {
        host: 'h1',
        status: 'ok',
        os: 'debian:12',
        packages: 88,
        issues: 0,
        issueSamples: [],
        rebootRequired: false,
        staleProcesses: 0,
        durationMs: expect.any(Number),
        scanId: 1,
      },
    ]);
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
    expect(r.results[0]!.issues).toBe(6);
    const messages = r.results[0]!.issueSamples.map((i) => i.message).join('\n');
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
    expect(r.results[0]!.issues).toBeGreaterThan(0);
    expect(r.results[0]!.reason).toBe('no-packages');
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

describe('patchwise scan --from-status DIR', () => {
  const release = (id: string, version: string) => `ID=${id}\nVERSION_ID="${version}"\n`;
  function statusDir(): string {
    const dir = tempDir('patchwise-status-dir-');
    const status = fs.readFileSync(STATUS);
    fs.writeFileSync(path.join(dir, 'web-1'), status);
    fs.writeFileSync(path.join(dir, 'web-1.os-release'), release('debian', '12'));
    fs.mkdirSync(path.join(dir, 'db-2'));
    fs.writeFileSync(path.join(dir, 'db-2', 'status'), status);
    fs.writeFileSync(path.join(dir, 'db-2', 'os-release'), release('ubuntu', '22.04'));
    fs.writeFileSync(path.join(dir, 'plain-3'), status);
    fs.writeFileSync(path.join(dir, 'empty-4'), '');
    fs.writeFileSync(path.join(dir, 'bad;name'), status);
    fs.writeFileSync(path.join(dir, 'rocky-5'), status);
    fs.writeFileSync(path.join(dir, 'rocky-5.os-release'), release('rocky', '9.4'));
    fs.mkdirSync(path.join(dir, 'gone-6'));
    fs.writeFileSync(path.join(dir, '.hidden'), 'x');
    return dir;
  }
  const summary = (stdout: string) =>
    (JSON.parse(stdout) as ScanResult[]).map((r) => [
      r.host,
      r.status,
      r.reason ?? '',
      r.os ?? '',
      r.packages,
    ]);

  it('imports one host per file or folder, reports each one it could not, exit 3', () => {
    const data = tempDir();
    const r = runCli([
      '--data-dir',
      data,
      'scan',
      '--from-status',
      statusDir(),
      '--os',
      'debian:12',
      '--json',
    ]);
    expect(r.code, r.stderr).toBe(3);
    expect(summary(r.stdout)).toEqual([
      ['bad;name', 'skipped', 'bad-name', '', 0],
      ['db-2', 'ok', '', 'ubuntu:22.04', 88],
      ['empty-4', 'failed', 'no-packages', 'debian:12', 0],
      ['gone-6', 'failed', 'read-failed', '', 0],
      ['plain-3', 'ok', '', 'debian:12', 88],
      ['rocky-5', 'skipped', 'unsupported-os', '', 0],
      ['web-1', 'ok', '', 'debian:12', 88],
    ]);
    const hosts = runCli(['--data-dir', data, 'findings', '--json']);
    expect(hosts.code).toBe(2); // scanned, but no advisories imported yet
  });

  it('without --os, skips the hosts with no os-release; prints a summary and the problems', () => {
    const r = runCli(['--data-dir', tempDir(), 'scan', '--from-status', statusDir()]);
    expect(r.code).toBe(3);
    expect(r.stdout).toMatch(/^imported 2 of 7 hosts \(176 packages\) in [\d.]+ s; 1 failed, 4 skipped\n/);
    expect(r.stdout).toMatch(/plain-3\s+skipped.*unknown-os/);
    expect(r.stderr).toMatch(/gone-6: Cannot read the status file/);
    expect(r.stderr).toMatch(/plain-3: .*no os-release beside it/);
  });

  it('refuses --name with a directory (exit 2)', () => {
    const r = runCli(['--data-dir', tempDir(), 'scan', '--from-status', statusDir(), '--name', 'x']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--name does not go with a status directory/);
  });
});
