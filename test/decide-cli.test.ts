import { parsePlan } from './helpers/cli.js';
import { beforeAll, describe, expect, it } from 'vitest';
import type { HostPlan } from '../src/app/decide.js';
import type { Decision } from '../src/core/policy/decide-finding.js';
import { decideFleetDir } from './decide-setup.js';

let cli: ReturnType<typeof decideFleetDir>['cli'];
beforeAll(() => {
  ({ cli } = decideFleetDir());
});

const HOUR = 3_600_000;

describe('patchwise plan / explain (real SQLite, real feeds snapshot)', () => {
  it('plan --json decides the KEV finding on an internet-facing tier 1 host as an emergency', () => {
    const r = cli('plan', '--json', '--decisions');
    expect(r.code, r.stderr).toBe(0);
    const plan = parsePlan<HostPlan>(r.stdout);
    expect(plan.timeZone).toBe('Europe/Berlin');
    const web = plan.hosts.find((h) => h.host === 'web-1')!;
    expect(web.action).toBe('emergency');
    const due = Date.parse(web.dueAt!) - Date.now();
    expect(due).toBeGreaterThan(47 * HOUR);
    expect(due).toBeLessThanOrEqual(48 * HOUR);
    expect(web.dueLocal).toMatch(/ Europe\/Berlin$/);
    expect(web.packages.find((p) => p.package === 'nginx')).toMatchObject({
      from: '1.22.1-9+deb12u9',
      binaries: ['nginx', 'nginx-common'],
      action: 'emergency',
    });
    expect(web.restartServices).toContain('nginx');
    const d = web.decisions.find((x) => x.cves.includes('CVE-2023-44487'))!;
    expect(d).toMatchObject({ action: 'emergency', state: 'due', kev: true });
    expect(d.rollback).toEqual(['snapshot-first', 'backup-verified', 'owner-available']);
  });

  it('an unclassified host is decided as tier 1, internet-facing, and flagged', () => {
    const plan = parsePlan<HostPlan>(cli('plan', '--json', '--host', 'build-1').stdout);
    expect(plan.hosts).toHaveLength(1);
    expect(plan.hosts[0]).toMatchObject({
      host: 'build-1',
      action: 'emergency',
      assumed: ['tier', 'exposure', 'owner'],
    });
  });

  it('plan prints one line per host, and details with --host', () => {
    const table = cli('plan');
    expect(table.code).toBe(0);
    expect(table.stdout).toMatch(/^HOST\s+TIER\s+EXPOSURE\s+ACTION/);
    expect(table.stdout).toMatch(/web-1\s+1\s+internet\s+emergency/);
    const detail = cli('plan', '--host', 'web-1');
    expect(detail.stdout).toContain('change nginx 1.22.1-9+deb12u9 -> ');
    expect(detail.stdout).toContain('services restarting: nginx');
  });

  it('explain prints the reasons in plain sentences', () => {
    const r = cli('explain', 'web-1', 'CVE-2023-44487');
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('  - CVE-2023-44487 is in CISA KEV since 2023-10-10.');
    expect(r.stdout).toContain('  - Host web-1 is internet-facing tier 1 production.');
    expect(r.stdout).toMatch(
      / {2}- emergency: due \d{4}-\d\d-\d\d \d\d:\d\d Europe\/Berlin \(48 hours for an emergency\)\./,
    );
    expect(r.stdout).toContain('  - Tier 1 emergency: patch with the owner (alice) present.');
    const json = JSON.parse(cli('explain', 'web-1', 'nginx', '--json').stdout) as Decision[];
    expect(json.length).toBeGreaterThan(0);
    expect(json.every((d) => d.package === 'nginx')).toBe(true);
  });

  it('explain names an unknown finding as a user error', () => {
    const r = cli('explain', 'web-1', 'CVE-1999-0001');
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('Host web-1 has no finding CVE-1999-0001.');
  });
});
