import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parsePlan, runCli, SNAPSHOT, tempDir } from './helpers/cli.js';

/** A dpkg status file: `n` binary packages of the source openssl (an old, vulnerable version) and openssl. */
function oneSourceStatus(n: number): string {
  const stanzas: string[] = [];
  for (let i = 0; i < n; i++)
    stanzas.push(
      `Package: libfoo${i}\nStatus: install ok installed\nArchitecture: amd64\nSource: openssl\nVersion: 3.0.1-1\n`,
    );
  stanzas.push('Package: openssl\nStatus: install ok installed\nArchitecture: amd64\nVersion: 3.0.1-1\n');
  return stanzas.join('\n');
}

describe('plan with many binaries of one source', () => {
  it('plans 50,000 binaries of one source in well under the quadratic time (31 s before)', () => {
    const dir = tempDir();
    const file = path.join(dir, 'big.status');
    fs.writeFileSync(file, oneSourceStatus(50_000));
    const data = path.join(dir, 'data');
    expect(runCli(['-d', data, 'feeds', 'import', SNAPSHOT]).code).toBe(0);
    const scan = runCli(['-d', data, 'scan', '--from-status', file, '--os', 'debian:12', '--name', 'big']);
    expect(scan.code, scan.stderr).toBe(0);
    const started = performance.now();
    const plan = runCli(['-d', data, 'plan', '--json']);
    const seconds = (performance.now() - started) / 1000;
    expect(plan.code, plan.stderr).toBe(0);
    const { hosts } = parsePlan<{ packages: { package: string; binaries: string[] }[] }>(plan.stdout);
    expect(hosts[0]!.packages.map((p) => [p.package, p.binaries.length])).toEqual([['openssl', 50_001]]);
    // About 1 s once linear (mostly start-up); generous for slow CI machines.
    expect(seconds).toBeLessThan(8);
  }, 60_000);
});
