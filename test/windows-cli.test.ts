import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli, tempDir } from './helpers/cli.js';

const CONFIG = `hosts:
  - { name: web-1, tier: 1, exposure: internet, owner: team-web, tags: { role: web } }
  - { name: web-2, tier: 1, exposure: internet, owner: team-web, tags: { role: web } }
  - { name: db-1, tier: 2, exposure: internal, owner: team-db, tags: { role: db } }
windows:
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
  - name: spring-sunday
    schedule: "FREQ=MONTHLY;BYDAY=-1SU"
    start: "02:30"
    duration: 2h
    timeZone: Europe/Berlin
    scope: { tiers: [3] }
freezes:
  - { name: year-end, from: "2026-12-20", to: "2027-01-04", timeZone: Europe/Berlin }
releases:
  - { name: shop-2.4, at: "2026-12-12T04:00", timeZone: Europe/Berlin }
`;

function setup(config = CONFIG) {
  const dir = tempDir();
  fs.writeFileSync(path.join(dir, 'patchwise.yaml'), config);
  return (...args: string[]) => runCli(args, { cwd: dir, env: { PATCHWISE_HOME: path.join(dir, '.pw') } });
}

describe('patchwise windows next --json', () => {
  it('prints each occurrence with UTC and local times, zone, freeze and release conflicts', () => {
    const cli = setup();
    const r = cli(
      'windows',
      'next',
      '--window',
      'web-monthly',
      '--count',
      '2',
      '--now',
      '2026-12-01',
      '--json',
    );
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual([
      {
        window: 'web-monthly',
        start: '2026-12-12T01:30:00Z',
        end: '2026-12-12T04:30:00Z',
        startLocal: '2026-12-12T02:30:00+01:00',
        endLocal: '2026-12-12T05:30:00+01:00',
        timeZone: 'Europe/Berlin',
        frozen: null,
        releases: ['shop-2.4'],
      },
      {
        window: 'web-monthly',
        start: '2027-01-16T01:30:00Z',
        end: '2027-01-16T04:30:00Z',
        startLocal: '2027-01-16T02:30:00+01:00',
        endLocal: '2027-01-16T05:30:00+01:00',
        timeZone: 'Europe/Berlin',
        frozen: null,
        releases: [],
      },
    ]);
  });

  it('merges windows in start order, keeps the spring-gap start, marks frozen ones; global --now works too', () => {
    const cli = setup();
    const r = cli('--now', '2026-12-13T00:00:00Z', 'windows', 'next', '--count', '3', '--json');
    expect(r.code, r.stderr).toBe(0);
    expect(
      JSON.parse(r.stdout).map((o: { window: string; startLocal: string; frozen: string | null }) => [
        o.window,
        o.startLocal,
        o.frozen,
      ]),
    ).toEqual([
      ['spring-sunday', '2026-12-27T02:30:00+01:00', 'year-end'],
      ['web-monthly', '2027-01-16T02:30:00+01:00', null],
      ['spring-sunday', '2027-01-31T02:30:00+01:00', null],
    ]);
    const spring = cli(
      'windows',
      'next',
      '--window',
      'spring-sunday',
      '--count',
      '1',
      '--now',
      '2027-03-01',
      '--json',
    );
    expect(JSON.parse(spring.stdout)[0]).toMatchObject({
      start: '2027-03-28T01:30:00Z',
      startLocal: '2027-03-28T03:30:00+02:00',
    });
  });

  it('refuses an unknown window and a bad count with exit 2', () => {
    const cli = setup();
    const r = cli('windows', 'next', '--window', 'nope');
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('No window named "nope"');
    expect(cli('windows', 'next', '--count', '0').code).toBe(2);
  });
});

describe('patchwise windows list', () => {
  it('shows the next occurrence in the zone and UTC, hosts in scope and the five parts', () => {
    const cli = setup();
    const r = cli('windows', 'list', '--now', '2026-12-01');
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain(
      'next:     2026-12-12 02:30 +01:00 Europe/Berlin = 2026-12-12 01:30 UTC, until 2026-12-12 05:30 (release conflict: shop-2.4)',
    );
    expect(r.stdout).toContain('hosts:    2 in scope');
    expect(r.stdout).toContain('rollback: snapshot');
    expect(r.stdout).toMatch(/spring-sunday[\s\S]*missing: {2}impact, owner, rollback, success/);
  });

  it('refuses a tier 1 window without an owner, naming window, part, file and line', () => {
    const cli = setup(CONFIG.replace('    owner: team-web\n    impact', '    impact'));
    const r = cli('windows', 'list');
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(
      /patchwise\.yaml:6:\d+: windows\[0\]\.owner: window "web-monthly" covers tier 1 hosts but has no owner/,
    );
  });
});
