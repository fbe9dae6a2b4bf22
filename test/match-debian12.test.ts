import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Finding } from '../src/core/findings/finding.js';
import { FIXTURES, parseNdjson, runCli, SNAPSHOT, tempDir } from './helpers/cli.js';

const OSV = path.join(SNAPSHOT, 'debian-12-osv.zip');
const TRACKER = path.join(FIXTURES, 'advisories/debian-tracker-bookworm.json');
const KEV = path.join(SNAPSHOT, 'known_exploited_vulnerabilities.json');
const STATUS = path.join(FIXTURES, 'status/minbase-bookworm.status');

const NGINX = `
Package: nginx
Status: install ok installed
Architecture: amd64
Source: nginx
Version: 1.22.1-9+deb12u9

Package: nginx-common
Status: install ok installed
Architecture: all
Source: nginx
Version: 1.22.1-9+deb12u9
`;

/** Imports `feeds` into a fresh data dir, scans the status file and returns `findings --json`. */
function findingsWith(feeds: string[], status: string): Finding[] {
  const dir = tempDir();
  const run = (args: string[]) => {
    const r = runCli(['--data-dir', dir, ...args]);
    expect(r.code, r.stderr).toBe(0);
    return r.stdout;
  };
  run(['feeds', 'import', ...feeds]);
  run(['scan', '--from-status', status, '--os', 'debian:12', '--name', 'minbase']);
  return parseNdjson<Finding>(run(['findings', '--json'])).records;
}

const dpkgOrders = (a: string, op: 'lt' | 'eq', b: string): boolean => {
  try {
    execFileSync('dpkg', ['--compare-versions', a, op, b]);
    return true;
  } catch {
    return false;
  }
};

describe('matching a real Debian 12 status against the real Debian 12 advisories', () => {
  let osv: Finding[];
  let tracker: Finding[];
  beforeAll(() => {
    const status = path.join(tempDir(), 'status');
    fs.writeFileSync(status, fs.readFileSync(STATUS, 'utf8').trimEnd() + '\n' + NGINX);
    osv = findingsWith([OSV, KEV], status);
    tracker = findingsWith([TRACKER, KEV], status);
  }, 600_000);

  it('finds the minbase packages with pending security fixes', () => {
    expect(new Set(osv.map((f) => f.package))).toEqual(new Set(['apt', 'pcre2', 'perl', 'nginx']));
  });

  it('orders every installed version below its fixed version, by dpkg itself', () => {
    const pairs = new Set(osv.map((f) => `${f.installedVersion} ${f.fixedVersion}`));
    for (const pair of pairs) {
      const [installed, fixed] = pair.split(' ') as [string, string];
      expect(fixed, `${installed} has a fix`).not.toBe('null');
      expect(dpkgOrders(installed, 'lt', fixed), `${installed} < ${fixed}`).toBe(true);
    }
  });

  it('shows CVE-2023-44487 in nginx as known-exploited, first', () => {
    const f = osv.find((x) => x.cves.includes('CVE-2023-44487'));
    expect(f).toMatchObject({
      package: 'nginx',
      binaries: ['nginx', 'nginx-common'],
      installedVersion: '1.22.1-9+deb12u9',
      fixedVersion: '1.22.1-9+deb12u11',
      kev: { cve: 'CVE-2023-44487' },
    });
    expect(osv[0]?.cves).toContain('CVE-2023-44487');
  });

  it('gives the same findings from the tracker JSON as from the OSV zip', () => {
    const key = (f: Finding) =>
      [f.host, f.package, f.vulnId, f.installedVersion, f.fixedVersion, Boolean(f.kev)].join(' ');
    expect(tracker.map(key).sort()).toEqual(osv.map(key).sort());
  });
});
