import { beforeAll, describe, expect, it } from 'vitest';
import type { HostPlan } from '../src/app/decide.js';
import type { WindowMisfit, WindowPlan, WindowPlanHost } from '../src/app/plan-window.js';
import type { Decision } from '../src/core/policy/decide-finding.js';
import { decideFleetDir } from './decide-setup.js';
import { parseNdjson, parsePlan } from './helpers/cli.js';

// web-1 (tier 1, role web) is in web-monthly: second Tuesday + 4 at 02:30 Berlin. Its December occurrence
// (Sat 12 Dec 2026) is frozen, so its next window is Sat 16 Jan 2027, 02:30 CET (01:30 UTC): weeks away.
// db-nightly covers no host; build-1 (unclassified) is in no window.
const WINDOWS = `windows:
  - name: web-monthly
    schedule: "FREQ=MONTHLY;BYDAY=2TU"
    offsetDays: 4
    start: "02:30"
    duration: 3h
    cutoff: 45m
    timeZone: Europe/Berlin
    scope: { tiers: [1], tags: { role: web } }
    owner: team-web
    impact: auto
    rollback: snapshot
    success: [ services-healthy, no-pending-reboot, findings-fixed ]
  - name: db-nightly
    schedule: "FREQ=DAILY"
    start: "01:00"
    duration: 2h
    timeZone: UTC
    scope: { tiers: [3], tags: { role: db } }
freezes:
  - { name: december-fair, from: "2026-12-11", to: "2026-12-13", timeZone: Europe/Berlin }
`;
const NOW = '2026-12-01T09:00:00Z';
const NEXT_WINDOW = '2027-01-16T01:30:00.000Z';

let cli: ReturnType<typeof decideFleetDir>['cli'];
beforeAll(() => {
  ({ cli } = decideFleetDir(WINDOWS));
});

describe('windows feed deciding (real SQLite, real feeds snapshot)', () => {
  it('the next-window deadline follows the window, and a KEV finding weeks before it is flagged', () => {
    const r = cli('--now', NOW, 'plan', '--json', '--decisions');
    expect(r.code, r.stderr).toBe(0);
    const plan = parsePlan<HostPlan & { nextWindow?: string; nextWindowAt?: string }>(r.stdout);
    const web = plan.hosts.find((h) => h.host === 'web-1')!;
    expect(web.nextWindow).toBe('web-monthly');
    expect(web.nextWindowAt).toBe(NEXT_WINDOW);
    const byWindow = web.decisions.filter((d) => d.dueRule === 'next-window');
    expect(byWindow.length).toBeGreaterThan(0);
    for (const d of byWindow) expect(d.dueAt).toBe(NEXT_WINDOW);
    const kev = web.decisions.find((d) => d.cves.includes('CVE-2023-44487'))!;
    expect(kev).toMatchObject({ action: 'emergency', noWindowBeforeDue: true, proposal: 'emergency-run' });
    expect(kev.reasonCodes).toContain('window:none-before-due');
    expect(kev.reasons.at(-1)).toMatch(/^No window before the due date: .*2027-01-16 02:30 Europe\/Berlin/);
    const flagged = web.decisions.filter((d: Decision) => d.noWindowBeforeDue).length;
    expect(web).toMatchObject({ noWindowBeforeDue: true, noWindowBeforeDueCount: flagged });
    // build-1 is in no window: the tier rhythm (tier 1: 30 days) still decides it, and nothing is flagged.
    const build = plan.hosts.find((h) => h.host === 'build-1')!;
    expect(build).not.toHaveProperty('nextWindowAt');
    expect(build.decisions.every((d) => !d.noWindowBeforeDue)).toBe(true);
    const rhythm = build.decisions.find((d) => d.dueRule === 'next-window');
    if (rhythm) expect(rhythm.dueAt).toBe('2026-12-31T09:00:00.000Z');
    expect(r.stderr).toContain('note: 1 host is covered by no window (build-1)');
  });

  it('plan marks the host and says what to do under the table', () => {
    const r = cli('--now', NOW, 'plan');
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/web-1 .* !/);
    expect(r.stdout).toMatch(/^! No window before due date: \d+ findings on 1 host \(web-1\)/m);
    expect(r.stdout).toContain('propose an emergency run, or an extra window');
    expect(r.stderr).toContain('covered by no window (build-1)');
  });

  it('assess counts them in its summary and flags the host', () => {
    const r = cli('--now', NOW, 'assess', '--no-scan', '--json');
    expect(r.code === 0 || r.code === 1, r.stderr).toBe(true);
    const { records } = parseNdjson<Record<string, unknown>>(r.stdout);
    const summary = records.find((x) => x.type === 'summary')!;
    expect(summary.noWindowBeforeDue).toMatchObject({ hosts: 1 });
    expect(summary.hostsInNoWindow).toBe(1);
    const text = cli('--now', NOW, 'assess', '--no-scan');
    expect(text.stdout).toMatch(/No window before due date: \d+ on 1 hosts\./);
    expect(text.stdout).toMatch(/no window before due \(\d+\)/);
  });
});

describe('patchwise plan --window', () => {
  it('plans the next occurrence: hosts in scope only, with impact and rollback, and says it is frozen', () => {
    const r = cli('--now', NOW, 'plan', '--window', 'web-monthly', '--json');
    expect(r.code, r.stderr).toBe(0);
    const { header, records } = parseNdjson<WindowPlanHost | WindowMisfit>(r.stdout);
    const head = header as unknown as WindowPlan & { format: string };
    expect(head.format).toBe('patchwise.window-plan');
    expect(head).toMatchObject({ window: 'web-monthly', rollback: 'snapshot', owner: 'team-web' });
    expect(head.occurrence).toMatchObject({ start: '2026-12-12T01:30:00Z', frozen: 'december-fair' });
    expect(head.nextOpen?.start).toBe('2027-01-16T01:30:00Z');
    const hosts = records.filter((x): x is WindowPlanHost => x.type === 'host');
    expect(hosts.map((h) => h.host)).toEqual(['web-1']);
    expect(hosts[0]!.impact.length).toBeGreaterThan(0);
    expect(hosts[0]!.packages.length).toBeGreaterThan(0);
    expect(head.impactExpected).toEqual(expect.arrayContaining(hosts[0]!.impact.filter((i) => i !== 'none')));
    const misfits = records.filter((x): x is WindowMisfit => x.type === 'does-not-fit');
    expect(misfits.length).toBe(hosts[0]!.packages.length);
    expect(misfits.every((m) => m.reason === 'frozen' && m.freeze === 'december-fair')).toBe(true);
  });

  it('after the freeze: what is due before the window opens does not fit', () => {
    const r = cli('--now', '2026-12-20T00:00:00Z', 'plan', '--window', 'web-monthly', '--json');
    expect(r.code, r.stderr).toBe(0);
    const { header, records } = parseNdjson<WindowPlanHost | WindowMisfit>(r.stdout);
    expect((header as unknown as WindowPlan).occurrence).toMatchObject({
      start: NEXT_WINDOW.replace('.000', ''),
      frozen: null,
    });
    const host = records.find((x): x is WindowPlanHost => x.type === 'host')!;
    const late = records.filter((x): x is WindowMisfit => x.type === 'does-not-fit');
    expect(late.some((m) => m.reason === 'due-before-window' && m.package === 'nginx')).toBe(true);
    for (const p of host.packages) expect(p.fits).toBe(p.dueAt >= NEXT_WINDOW);
  });

  it('prints the plan as text', () => {
    const r = cli('--now', NOW, 'plan', '--window', 'web-monthly');
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('Window web-monthly: 2026-12-12T02:30:00+01:00');
    expect(r.stdout).toContain('FROZEN: the freeze december-fair cancels this occurrence');
    expect(r.stdout).toContain('rollback: snapshot');
    expect(r.stdout).toMatch(/^HOST\s+TIER\s+ACTION/m);
    expect(r.stdout).not.toContain('build-1');
  });

  it('refuses an unknown window and one that covers no host', () => {
    const unknown = cli('plan', '--window', 'nope');
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('No window named "nope"');
    const empty = cli('plan', '--window', 'db-nightly');
    expect(empty.code).toBe(2);
    expect(empty.stderr).toContain('covers no host');
  });
});
