import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT, runCli, tempDir } from './helpers/cli.js';

// Both DST changes in both zones, a window whose end falls in the second pass of Berlin's repeated hour
// (only UTC can say that instant), a dated freeze, and text that needs escaping and multi-byte folding.
const OWNER = 'Équipe Web — Müller, Øre; on-call ☎ 24/7 🚀 with a name long enough to be folded twice';
const CONFIG = `hosts:
  - { name: web-1, tier: 1, exposure: internet, owner: team-web, tags: { role: web } }
  - { name: db-1, tier: 3, exposure: internal, owner: team-db, tags: { role: db } }
windows:
  - name: berlin-sunday
    schedule: "FREQ=MONTHLY;BYDAY=-1SU"
    start: "02:30"
    duration: 2h
    timeZone: Europe/Berlin
    scope: { tiers: [1], tags: { role: web } }
    owner: "${OWNER}"
    impact: reboot
    rollback: snapshot
    success: [ services-healthy, findings-fixed ]
  - name: berlin-early
    schedule: "FREQ=MONTHLY;BYDAY=-1SU"
    start: "02:00"
    duration: 1h30m
    timeZone: Europe/Berlin
    scope: { names: [ "nothing-*" ] }
  - name: ny-weekly
    schedule: "FREQ=WEEKLY;BYDAY=SU"
    start: "01:30"
    duration: 90m
    timeZone: America/New_York
    scope: { names: [ "nothing-*" ] }
freezes:
  - { name: spring-freeze, from: "2026-03-08", to: "2026-03-08", timeZone: America/New_York }
  - { name: year-end, from: "2026-12-20", to: "2027-01-04", timeZone: Europe/Berlin }
`;

const PYTHON = '/usr/bin/python3';

function setup() {
  const dir = tempDir();
  fs.writeFileSync(path.join(dir, 'patchwise.yaml'), CONFIG);
  return (...args: string[]) => runCli(args, { cwd: dir, env: { PATCHWISE_HOME: path.join(dir, '.pw') } });
}

interface Parsed {
  zones: string[];
  events: {
    uid: string;
    window: string;
    start: string;
    end: string;
    status: string;
    freeze: string | null;
    summary: string;
    description: string;
  }[];
}

function parseIcs(ics: string): Parsed {
  const r = spawnSync(PYTHON, [path.join(ROOT, 'test/helpers/parse-ics.py')], {
    input: ics,
    encoding: 'utf8',
  });
  if (r.error)
    throw new Error(`${PYTHON} did not run (npm run test:prerequisites installs it)`, { cause: r.error });
  expect(r.status, r.stderr).toBe(0);
  return JSON.parse(r.stdout) as Parsed;
}

interface NextRow {
  window: string;
  start: string;
  end: string;
  frozen: string | null;
}

describe('patchwise windows ics, read back by python3-icalendar', () => {
  const cli = setup();
  const args = ['--count', '90', '--now', '2026-02-20'];
  const ics = cli('windows', 'ics', ...args);
  const next = cli('windows', 'next', ...args, '--json');

  it('matches windows next --json occurrence by occurrence: UTC start and end, frozen as CANCELLED', () => {
    expect(ics.code, ics.stderr).toBe(0);
    expect(next.code, next.stderr).toBe(0);
    const rows = JSON.parse(next.stdout) as NextRow[];
    const parsed = parseIcs(ics.stdout);
    expect(parsed.zones).toEqual(['America/New_York', 'Europe/Berlin']);
    expect(parsed.events.map((e) => [e.window, e.start, e.end, e.status, e.freeze])).toEqual(
      rows.map((r) => [r.window, r.start, r.end, r.frozen ? 'CANCELLED' : 'CONFIRMED', r.frozen]),
    );
    // The comparison covers the cases it is for (values written out by hand).
    const has = (w: string, start: string, end: string) =>
      expect(rows).toContainEqual(expect.objectContaining({ window: w, start, end }));
    has('berlin-sunday', '2026-03-29T01:30:00Z', '2026-03-29T03:30:00Z'); // gap: 02:30 read as 03:30 CEST
    has('berlin-sunday', '2026-10-25T00:30:00Z', '2026-10-25T02:30:00Z'); // first 02:30 (CEST)
    has('berlin-early', '2026-10-25T00:00:00Z', '2026-10-25T01:30:00Z'); // ends 02:30 CET, second pass
    has('ny-weekly', '2026-03-08T06:30:00Z', '2026-03-08T08:00:00Z'); // 01:30 EST to 04:00 EDT
    has('ny-weekly', '2026-11-01T05:30:00Z', '2026-11-01T07:00:00Z'); // first 01:30 (EDT) to 02:00 EST
    expect(rows.find((r) => r.start === '2026-03-08T06:30:00Z')?.frozen).toBe('spring-freeze');
    expect(rows.filter((r) => r.frozen === 'year-end').length).toBeGreaterThan(0);
    expect(rows.at(-1)!.start > '2026-12-20').toBe(true);
  });

  it('writes local times with TZID, except an instant a local time cannot name', () => {
    expect(ics.stdout).toContain('DTSTART;TZID=Europe/Berlin:20261025T023000\r\n');
    expect(ics.stdout).toContain('DTEND;TZID=America/New_York:20261101T020000\r\n');
    expect(ics.stdout).toContain('DTEND:20261025T013000Z\r\n');
  });

  it('carries the five parts in the description, escaped and folded so they read back exactly', () => {
    const ev = parseIcs(ics.stdout).events.find((e) => e.window === 'berlin-sunday')!;
    expect(ev.uid).toBe('berlin-sunday-20260222T013000Z@patchwise');
    expect(ev.summary).toBe('Maintenance: berlin-sunday');
    expect(ev.description).toBe(
      [
        'Maintenance window berlin-sunday (Europe/Berlin), 2h',
        'Scope: tiers 1; tags role=web',
        'Expected impact: reboot',
        `Owner: ${OWNER}`,
        'Rollback path: snapshot',
        'Success criteria: services-healthy, findings-fixed',
      ].join('\n'),
    );
    const frozen = parseIcs(ics.stdout).events.find((e) => e.freeze === 'spring-freeze')!;
    expect(frozen.summary).toBe('Cancelled (freeze spring-freeze): maintenance ny-weekly');
    expect(frozen.description).toContain('CANCELLED: frozen by spring-freeze');
  });

  it('keeps UIDs stable across runs and --now, and stamps DTSTAMP with --now', () => {
    const later = cli('windows', 'ics', '--count', '90', '--now', '2026-03-01');
    const uids = (s: string) => [...s.matchAll(/^UID:(.*)\r$/gm)].map((m) => m[1]);
    expect(uids(ics.stdout)).toEqual(expect.arrayContaining(uids(later.stdout).slice(0, 80)));
    expect(later.stdout).toContain('DTSTAMP:20260301T000000Z\r\n');
  });

  it('refuses an unknown window and a bad count with exit 2', () => {
    expect(cli('windows', 'ics', '--window', 'nope').code).toBe(2);
    expect(cli('windows', 'ics', '--count', '0').code).toBe(2);
  });
});

describe('patchwise windows next --host', () => {
  const cli = setup();
  it('lists only the windows whose scope covers the host', () => {
    const r = cli('windows', 'next', '--host', 'web-1', '--count', '3', '--now', '2026-02-20', '--json');
    expect(r.code, r.stderr).toBe(0);
    const rows = JSON.parse(r.stdout) as NextRow[];
    expect(rows.map((x) => [x.window, x.start])).toEqual([
      ['berlin-sunday', '2026-02-22T01:30:00Z'],
      ['berlin-sunday', '2026-03-29T01:30:00Z'],
      ['berlin-sunday', '2026-04-26T00:30:00Z'],
    ]);
  });

  it('says so for a host in no window (exit 0, a note; JSON an empty list)', () => {
    const text = cli('windows', 'next', '--host', 'db-1', '--now', '2026-02-20');
    expect(text.code, text.stderr).toBe(0);
    expect(text.stdout).toContain('Host db-1 is in no maintenance window');
    const json = cli('windows', 'next', '--host', 'db-1', '--json');
    expect(json.code, json.stderr).toBe(0);
    expect(JSON.parse(json.stdout)).toEqual([]);
  });

  it('refuses a host the inventory does not know with exit 2', () => {
    const r = cli('windows', 'next', '--host', 'nope');
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('No host named "nope"');
  });
});
