import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseNdjson, ROOT, runCli, tempDir } from './helpers/cli.js';

/** A dpkg status entry as dpkg writes it. */
function entry(pkg: string, version: string): string {
  return [
    `Package: ${pkg}`,
    'Status: install ok installed',
    'Priority: optional',
    'Section: misc',
    'Maintainer: patchwise lab <lab@patchwise.invalid>',
    'Architecture: amd64',
    `Version: ${version}`,
    `Description: ${pkg}`,
    '',
  ].join('\n');
}

interface FindingLine {
  host: string;
  package: string;
  installedVersion: string;
  fixedVersion: string;
  vulnId: string;
  cvss?: { score: number };
}

// The lab's own advisories (lab/advisories/), needing no lab: imported and matched like any OSV feed.
describe('lab advisories: feeds import lab/advisories matches the lab packages', () => {
  it('finds lab-web and lab-kernel below 1.0-2, fixed in 1.0-2, and not lab-libfoo at 1.0-2', () => {
    const dir = tempDir();
    const env = { PATCHWISE_HOME: path.join(dir, 'data') };
    const imported = runCli(['feeds', 'import', path.join(ROOT, 'lab/advisories')], { env });
    expect(imported.code, imported.stderr).toBe(0);
    expect(imported.stdout).toMatch(/osv:Debian:12\s+3\s+0\s/);

    const status = path.join(dir, 'status');
    fs.writeFileSync(
      status,
      [entry('lab-web', '1.0-1'), entry('lab-libfoo', '1.0-2'), entry('lab-kernel', '1.0-1')].join('\n'),
    );
    const scanned = runCli(['scan', '--from-status', status, '--os', 'debian:12', '--name', 'lab-1'], {
      env,
    });
    expect(scanned.code, scanned.stderr).toBe(0);

    const out = runCli(['findings', '--json'], { env });
    expect(out.code, out.stderr).toBe(0);
    const found = parseNdjson<FindingLine>(out.stdout)
      .records.map((f) => ({
        host: f.host,
        package: f.package,
        installed: f.installedVersion,
        fixed: f.fixedVersion,
        id: f.vulnId,
      }))
      .sort((a, b) => a.package.localeCompare(b.package));
    expect(found).toEqual([
      { host: 'lab-1', package: 'lab-kernel', installed: '1.0-1', fixed: '1.0-2', id: 'PW-LAB-2026-0003' },
      { host: 'lab-1', package: 'lab-web', installed: '1.0-1', fixed: '1.0-2', id: 'PW-LAB-2026-0001' },
    ]);
    // lab-web's record carries a high CVSS (7.5): the policy's default classes it high.
    const web = parseNdjson<FindingLine>(out.stdout).records.find((f) => f.package === 'lab-web');
    expect(web?.cvss?.score).toBeGreaterThanOrEqual(7);
    expect(web?.cvss?.score).toBeLessThan(9);
  });
});
