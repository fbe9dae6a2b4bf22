import { describe, expect, it } from 'vitest';
import { finding, host, NOW, RAPID_RESET_KEV } from '../../../test/decide-fixtures.js';
import type { Finding } from '../findings/finding.js';
import type { Host } from '../inventory/host.js';
import type { Action, RollbackRequirement } from './actions.js';
import { decideFinding, type DecideContext } from './decide-finding.js';
import { PolicySchema } from './policy-schema.js';

const policy = PolicySchema.parse({
  compatibilityRisks: [{ package: 'postgresql-*', reason: 'major upgrades change the on-disk format' }],
});
const ctx: DecideContext = { policy, now: NOW };
const H = 3_600_000;
const D = 24 * H;
const after = (ms: number) => new Date(NOW.getTime() + ms).toISOString();

interface Row {
  name: string;
  f: Partial<Finding>;
  h: Partial<Host>;
  action: Action;
  due: string;
  rollback: RollbackRequirement[];
  reason?: string;
}

const linuxCritical: Partial<Finding> = {
  package: 'linux',
  binaries: ['linux-image-6.1.0-27-amd64'],
  installedVersion: '6.1.115-1',
  fixedVersion: '6.1.119-1',
  vulnId: 'DEBIAN-CVE-2024-50264',
  cves: ['CVE-2024-50264'],
  aliases: ['CVE-2024-50264'],
  cvss: { version: '3.1', vector: '', score: 9.8 },
};
const routine: Partial<Finding> = {
  package: 'libxml2',
  binaries: ['libxml2'],
  vulnId: 'DEBIAN-CVE-2024-25062',
  cves: ['CVE-2024-25062'],
  aliases: [],
  cvss: { version: '3.1', vector: '', score: 5.3 },
};

describe("the article's decision table", () => {
  const rows: Row[] = [
    {
      name: 'actively exploited on an internet-facing service -> emergency',
      f: { kev: RAPID_RESET_KEV },
      h: {},
      action: 'emergency',
      due: after(48 * H),
      rollback: ['snapshot-first', 'backup-verified', 'owner-available'],
      reason: 'CVE-2023-44487 is in CISA KEV since 2023-10-10.',
    },
    {
      name: 'critical OS/kernel update on a production VM -> urgent window',
      f: linuxCritical,
      h: { exposure: 'internal' },
      action: 'urgent-window',
      due: after(15 * D),
      rollback: ['snapshot-first', 'reboot-plan', 'health-checks'],
      reason: 'A critical update on a production VM goes to an urgent maintenance window.',
    },
    {
      name: 'routine security update on production -> regular window',
      f: routine,
      h: { exposure: 'internal', tier: 2 },
      action: 'regular-window',
      due: after(7 * D),
      rollback: ['snapshot-or-backup'],
      reason: 'A routine security update on a production VM goes to the regular maintenance window.',
    },
    {
      name: 'package update on a non-production VM -> weekly',
      f: routine,
      h: { exposure: 'internal', tier: 3, environment: 'development' },
      action: 'weekly',
      due: after(7 * D),
      rollback: ['basic-restore-path'],
    },
    {
      name: 'update with known compatibility risk -> staged',
      f: {
        package: 'postgresql-15',
        binaries: ['postgresql-15'],
        cvss: { version: '3.1', vector: '', score: 7.5 },
      },
      h: { exposure: 'internal' },
      action: 'staged',
      due: after(15 * D),
      rollback: ['snapshot-first', 'backup-verified', 'health-checks', 'rollback-plan-approved'],
      reason: 'Known compatibility risk: test first, then patch in staged order.',
    },
    {
      name: 'patch unavailable but exploit risk high -> compensate',
      f: { kev: RAPID_RESET_KEV, fixedVersion: null },
      h: {},
      action: 'compensate',
      due: after(48 * H),
      rollback: [],
      reason: 'No patch exists but the risk is high: apply compensating controls until a fix is available.',
    },
  ];
  it.each(rows)('$name', (row) => {
    const d = decideFinding(finding(row.f), host(row.h), ctx);
    expect(d.action).toBe(row.action);
    expect(d.dueAt).toBe(row.due);
    expect(d.rollback).toEqual(row.rollback);
    if (row.reason) expect(d.reasons).toContain(row.reason);
  });

  it('names the controls to choose from when compensating', () => {
    const d = decideFinding(finding({ kev: RAPID_RESET_KEV, fixedVersion: null }), host(), ctx);
    expect(d.controls).toEqual(
      expect.arrayContaining(['firewall-restriction', 'service-isolation', 'monitoring']),
    );
  });

  it('writes the reason the issue shows', () => {
    const d = decideFinding(finding({ kev: RAPID_RESET_KEV }), host(), ctx);
    expect(d.reasons).toEqual(
      expect.arrayContaining([
        'CVE-2023-44487 is in CISA KEV since 2023-10-10.',
        'Host web-1 is internet-facing tier 1 production.',
        'emergency: due 2026-11-29 09:00 UTC (48 hours for an emergency).',
        'Tier 1 emergency: patch with the owner (alice) present.',
      ]),
    );
  });
});

describe("the article's tier table", () => {
  const kev = { kev: RAPID_RESET_KEV };
  const rows: (Omit<Row, 'rollback'> & { rollback?: RollbackRequirement[] })[] = [
    {
      name: 'tier 1: regular planned window with pre-patch snapshot',
      f: routine,
      h: { exposure: 'internal' },
      action: 'regular-window',
      due: after(30 * D),
      rollback: ['snapshot-first'],
      reason: 'A routine security update on a production VM goes to the regular maintenance window.',
    },
    {
      name: 'tier 1: emergency patch with owner present',
      f: kev,
      h: {},
      action: 'emergency',
      due: after(48 * H),
      rollback: ['snapshot-first', 'backup-verified', 'owner-available'],
      reason: 'Tier 1 emergency: patch with the owner (alice) present.',
    },
    {
      name: 'tier 2: weekly windows',
      f: routine,
      h: { tier: 2, environment: undefined, exposure: 'internal' },
      action: 'regular-window',
      due: after(7 * D),
      reason: 'Host web-1 names no environment: tier 2 counts as production.',
    },
    {
      name: 'tier 2: patch quickly if exposed',
      f: { cvss: { version: '3.1', vector: '', score: 7.5 } },
      h: { tier: 2 },
      action: 'urgent-window',
      due: after(7 * D),
      reason: 'Tier 2 patches quickly when exposed: an urgent window.',
    },
    {
      name: 'tier 2: emergency when exploited and exposed',
      f: kev,
      h: { tier: 2 },
      action: 'emergency',
      due: after(48 * H),
      reason: 'Tier 2 emergency behaviour: patch quickly because the host is exposed.',
    },
    {
      name: 'tier 3: frequent automatic updates',
      f: routine,
      h: { tier: 3, environment: 'test' },
      action: 'weekly',
      due: after(7 * D),
      rollback: ['basic-restore-path'],
    },
    {
      name: 'tier 3: rebuild rather than preserve',
      f: kev,
      h: { tier: 3, environment: 'test' },
      action: 'emergency',
      due: after(48 * H),
      rollback: ['rebuild-from-image'],
      reason: 'Tier 3 emergency behaviour: rebuild from the image rather than preserve the VM.',
    },
    {
      name: 'tier 4: review before patching',
      f: routine,
      h: { tier: 4, environment: 'archive', exposure: 'internal' },
      action: 'regular-window',
      due: after(30 * D),
      rollback: ['snapshot-or-backup', 'review-before-patching'],
      reason: 'Tier 4 patches on a review rhythm: the update goes to the regular window.',
    },
    {
      name: 'tier 4: isolate if unmaintained',
      f: kev,
      h: { tier: 4, owner: undefined, environment: 'archive' },
      action: 'compensate',
      due: after(48 * H),
      reason: 'Tier 4 without an owner is unmaintained: isolate or shut it down rather than patch it.',
    },
  ];
  it.each(rows)('$name', (row) => {
    const d = decideFinding(finding(row.f), host(row.h), ctx);
    expect(d.action).toBe(row.action);
    expect(d.dueAt).toBe(row.due);
    if (row.rollback) expect(d.rollback).toEqual(row.rollback);
    if (row.reason) expect(d.reasons).toContain(row.reason);
  });

  it('tier 4 without owner chooses isolation controls', () => {
    const d = decideFinding(finding(kev), host({ tier: 4, owner: undefined }), ctx);
    expect(d.controls).toEqual(['service-isolation', 'shut-down', 'firewall-restriction']);
  });
});

describe("the article's policy table", () => {
  it('routine OS updates: weekly or biweekly review (tier 2 rhythm)', () => {
    expect(policy.tiers['2']).toMatchObject({ rhythm: 'weekly', windowDays: 7 });
  });
  it('review cadence: monthly (tier 1 rhythm)', () => {
    expect(policy.tiers['1']).toMatchObject({ rhythm: 'monthly', windowDays: 30 });
  });
  it('production patch window: owned; a missing owner is named', () => {
    const d = decideFinding(finding(routine), host({ owner: undefined }), ctx);
    expect(d.assumed).toEqual(['owner']);
    expect(d.reasons).toContain('Host web-1 has no owner: nobody is answerable for patching it.');
  });
  const triggers: [string, Partial<Finding>][] = [
    ['active exploitation (KEV)', { kev: RAPID_RESET_KEV }],
    [
      'likely exploitation (EPSS over threshold)',
      { epss: { cve: 'CVE-2023-44487', score: 0.5, percentile: 0.99 } },
    ],
    ['critical vendor advisory', { urgency: 'critical' }],
  ];
  it.each(triggers)('emergency trigger %s on internet exposure', (_n, f) => {
    expect(decideFinding(finding(f), host(), ctx).action).toBe('emergency');
    expect(decideFinding(finding(f), host({ exposure: 'internal' }), ctx).action).toBe('urgent-window');
  });
  it('public internet exposure alone is not an emergency', () => {
    expect(decideFinding(finding(routine), host(), ctx).action).toBe('regular-window');
  });
  it('pre-patch protection: snapshot for risky changes, backup for important data', () => {
    const kernel = decideFinding(
      finding({ ...linuxCritical, cvss: undefined }),
      host({ exposure: 'internal' }),
      ctx,
    );
    expect(kernel.rollback).toEqual(['snapshot-first', 'reboot-plan', 'health-checks']);
    const db = decideFinding(
      finding({ package: 'mariadb', binaries: ['mariadb-server'], cvss: undefined }),
      host({ exposure: 'internal' }),
      ctx,
    );
    expect(db.rollback).toEqual(['snapshot-first', 'backup-verified', 'health-checks']);
  });
});

describe('edge cases', () => {
  it('no tier and no exposure: treated as tier 1 internet-facing, and said so', () => {
    const d = decideFinding(
      finding({ kev: RAPID_RESET_KEV }),
      host({ tier: undefined, exposure: undefined }),
      ctx,
    );
    expect(d.action).toBe('emergency');
    expect(d.assumed).toEqual(['tier', 'exposure']);
    expect(d.reasons).toContain('Host web-1 has no tier: treated as tier 1 until it is classified.');
    expect(d.reasons).toContain(
      'Host web-1 has no exposure recorded: treated as internet-facing until it is classified.',
    );
  });
  it('no owner on a tier 1 emergency: still an emergency, owner demanded', () => {
    const d = decideFinding(finding({ kev: RAPID_RESET_KEV }), host({ owner: undefined }), ctx);
    expect(d.action).toBe('emergency');
    expect(d.rollback).toContain('owner-available');
    expect(d.reasons).toContain(
      'Tier 1 emergency needs its owner present, and host web-1 has no owner: assign one now.',
    );
  });
  it('isolated host with a KEV finding: urgent window, KEV deadline of 14 days', () => {
    const d = decideFinding(finding({ kev: RAPID_RESET_KEV }), host({ exposure: 'isolated' }), ctx);
    expect(d.action).toBe('urgent-window');
    expect(d.dueAt).toBe(after(14 * D));
    expect(d.dueRule).toBe('kev');
  });
  it('a KEV due date still ahead is used when sooner than 14 days', () => {
    const kev = { ...RAPID_RESET_KEV, dateAdded: '2026-11-20', dueDate: '2026-12-04' };
    const d = decideFinding(finding({ kev }), host({ exposure: 'internal' }), ctx);
    expect(d.dueAt).toBe('2026-12-04T00:00:00.000Z');
    expect(d.dueRule).toBe('kev-due-date');
  });
  it.each([
    [0.0999, 'regular-window'],
    [0.1, 'emergency'],
    [0.1001, 'emergency'],
  ] as const)('EPSS %s against the 0.1 threshold -> %s', (score, action) => {
    const d = decideFinding(
      finding({ ...routine, epss: { cve: 'CVE-2024-25062', score, percentile: 0.9 } }),
      host(),
      ctx,
    );
    expect(d.action).toBe(action);
  });
  it('fix not yet available and low risk: awaiting fix, checked at the next window', () => {
    const d = decideFinding(finding({ ...routine, fixedVersion: null }), host(), ctx);
    expect(d).toMatchObject({ action: 'regular-window', state: 'awaiting-fix', dueAt: after(30 * D) });
  });
  it('deadlines count from first seen: an old finding becomes overdue', () => {
    const d = decideFinding(finding({ kev: RAPID_RESET_KEV }), host(), {
      ...ctx,
      firstSeenAt: new Date(NOW.getTime() - 72 * H),
    });
    expect(d.state).toBe('overdue');
    expect(d.reasons.at(-1)).toBe(
      'emergency: overdue since 2026-11-26 09:00 UTC (48 hours for an emergency).',
    );
  });
  it('a next window from the windows configuration replaces the tier rhythm', () => {
    const d = decideFinding(finding(routine), host(), {
      ...ctx,
      nextWindowAt: new Date('2026-12-06T02:00:00Z'),
    });
    expect(d.dueAt).toBe('2026-12-06T02:00:00.000Z');
    expect(d.dueRule).toBe('next-window');
    expect(d.noWindowBeforeDue).toBeUndefined();
    expect(d.reasonCodes).not.toContain('window:none-before-due');
  });
  it('a finding due before the next window opens is flagged, with what to do instead', () => {
    const nextWindowAt = new Date('2026-12-26T02:00:00Z');
    const kev = decideFinding(finding({ kev: RAPID_RESET_KEV }), host(), { ...ctx, nextWindowAt });
    expect(kev.noWindowBeforeDue).toBe(true);
    expect(kev.proposal).toBe('emergency-run');
    expect(kev.reasonCodes).toContain('window:none-before-due');
    expect(kev.reasons.at(-1)).toBe(
      'No window before the due date: the next window covering the host opens 2026-12-26 02:00 UTC; run it as an emergency, outside the windows.',
    );
    const critical = decideFinding(finding(linuxCritical), host({ exposure: 'internal' }), {
      ...ctx,
      nextWindowAt,
    });
    expect(critical.action).toBe('urgent-window');
    expect(critical.proposal).toBe('extra-window');
  });
  it('due dates are shown in the policy time zone', () => {
    const d = decideFinding(finding({ kev: RAPID_RESET_KEV }), host(), { ...ctx, timeZone: 'Europe/Berlin' });
    expect(d.dueLocal).toBe('2026-11-29 10:00 Europe/Berlin');
  });
  it('a host without snapshots must verify a backup first', () => {
    const d = decideFinding(finding({ kev: RAPID_RESET_KEV }), host(), {
      ...ctx,
      restorePoints: { snapshot: false, backup: true },
    });
    expect(d.reasons).toContain(
      'Host web-1 cannot take a snapshot: verify its backup before patching instead.',
    );
  });
  it('compatibility risk does not delay an emergency', () => {
    const d = decideFinding(finding({ kev: RAPID_RESET_KEV }), host(), {
      ...ctx,
      compatibilityFlags: [{ package: 'nginx', reason: 'module ABI changes' }],
    });
    expect(d.action).toBe('emergency');
    expect(d.rollback).toContain('rollback-plan-approved');
  });
});
