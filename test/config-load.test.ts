import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../src/adapters/config/load-config.js';
import { UserError } from '../src/core/errors.js';
import { runCli, tempDir } from './helpers/cli.js';

/** The exact shape the lab helper generates. */
const LAB_CONFIG = `ssh:
  identityFile: /var/lib/patchwise-lab/id_ed25519
  knownHosts: /var/lib/patchwise-lab/known_hosts
providers:
  lab: { kind: lab, stateDir: /var/lib/patchwise-lab }
hosts:
  - name: lab-1
    connection: { ssh: { host: 127.0.1.1, user: root, port: 22 } }
    os: debian:12
    provider: { name: lab, id: lab-1 }
    tier: 1
    exposure: internet
    environment: production
    owner: team-web
    services:
      - { name: lab-web, unit: lab-web.service, http: "http://127.0.1.1:8080/health" }
    tags: { role: web }
`;

function write(dir: string, files: Record<string, string>): string {
  for (const [name, text] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
    fs.writeFileSync(path.join(dir, name), text);
  }
  return path.join(dir, 'patchwise.yaml');
}

function problems(dir: string): string[] {
  try {
    loadConfig(path.join(dir, 'patchwise.yaml'), dir);
  } catch (e) {
    expect(e).toBeInstanceOf(UserError);
    expect((e as UserError).code).toBe('config-invalid');
    return (e as UserError).message
      .split('\n')
      .slice(1)
      .map((l) => l.trim());
  }
  throw new Error('expected the configuration to be refused');
}

describe('loadConfig', () => {
  it('loads the lab-shaped configuration', () => {
    const dir = tempDir();
    const loaded = loadConfig(write(dir, { 'patchwise.yaml': LAB_CONFIG }), dir);
    expect(loaded.config.hosts[0]).toMatchObject({
      name: 'lab-1',
      tier: 1,
      provider: { name: 'lab', id: 'lab-1' },
      services: [{ unit: 'lab-web.service' }],
    });
    expect(loaded.config.providers.lab).toEqual({ kind: 'lab', stateDir: '/var/lib/patchwise-lab' });
    expect(loaded.origins.get('lab-1')).toEqual({ file: 'patchwise.yaml', line: 7 });
    expect(loaded.warnings).toEqual([]);
  });

  it('merges included host files and accepts policy, feeds, windows, raff and command providers', () => {
    const dir = tempDir();
    const file = write(dir, {
      'patchwise.yaml': `include: [hosts/*.yaml]\npolicy: {}\nfeeds: {}\nwindows:\n  - { name: weekly, schedule: FREQ=WEEKLY, start: '02:00', duration: 2h, timeZone: UTC }\nproviders:\n  raff: { kind: raff, apiKeyEnv: MY_RAFF_KEY, projectId: 3f1c2b7a-9d0e-4c1b-8a2f-1234567890ab }\n  cli: { kind: command, snapshot: [mycloud, snap, "{id}"] }\nhosts:\n  - { name: a, connection: { local: true } }\n`,
      'hosts/b.yaml': 'hosts:\n  - { name: b, tier: 2 }\n',
      'hosts/c.yaml': 'hosts:\n  - { name: c, exposure: isolated }\n',
      'hosts/notes.txt': 'ignored',
    });
    const loaded = loadConfig(file, dir);
    expect(loaded.config.hosts.map((h) => h.name)).toEqual(['a', 'b', 'c']);
    expect(loaded.origins.get('c')).toEqual({ file: 'hosts/c.yaml', line: 2 });
  });

  it('names file, line, column and field for a bad tier, with a hint, and lists every problem', () => {
    const dir = tempDir();
    write(dir, {
      'patchwise.yaml': `hosts:\n  - name: a\n    tier: 1\n  - name: b\n    tier: 2\n  - name: c\n    tier: 5\n    exposure: public\n    connection: { ssh: { host: x, port: "22" } }\n`,
    });
    expect(problems(dir)).toEqual([
      'patchwise.yaml:7:11: hosts[2].tier: expected 1, 2, 3 or 4 (got 5). Hint: Use 1 (production, critical) to 4 (archived, low value); see docs/configuration.md.',
      'patchwise.yaml:8:15: hosts[2].exposure: expected internet, internal or isolated (got "public"). Hint: internet: reachable from the internet; internal: private network; isolated: no network path in.',
      'patchwise.yaml:9:41: hosts[2].connection.ssh.port: expected number (got "22"). Hint: A TCP port number from 1 to 65535, written without quotes.',
    ]);
  });

  it('points at an unknown key and suggests the near one', () => {
    const dir = tempDir();
    write(dir, { 'patchwise.yaml': 'hosts:\n  - name: a\n    ownr: me\nprovidres: {}\n' });
    expect(problems(dir)).toEqual([
      'patchwise.yaml:3:5: hosts[0].ownr: unknown field "ownr". Hint: Did you mean owner?',
      'patchwise.yaml:4:1: providres: unknown field "providres". Hint: Did you mean providers?',
    ]);
  });

  it('names the included file and its line for a wrong type there', () => {
    const dir = tempDir();
    write(dir, {
      'patchwise.yaml': 'include: [hosts/*.yaml]\nhosts: []\n',
      'hosts/web.yaml': '# web servers\nhosts:\n  - name: w1\n    tags: { rack: 12 }\n  - name: w1\n',
    });
    expect(problems(dir)).toEqual([
      'hosts/web.yaml:4:19: hosts[0].tags.rack: expected string (got 12). Hint: Tags are key: value strings; quote numbers, e.g. rack: "12".',
    ]);
  });

  it('reports duplicate names across files, YAML syntax errors, unknown provider kinds and missing includes', () => {
    const dir = tempDir();
    write(dir, {
      'patchwise.yaml': 'include: [more.yaml]\nhosts:\n  - { name: a }\n',
      'more.yaml': 'hosts:\n  - { name: a }\n',
    });
    expect(problems(dir)).toEqual([
      'more.yaml:2:1: hosts[0].name: host "a" is defined twice (first at patchwise.yaml:3). Hint: Host names must be unique across patchwise.yaml and its included files.',
    ]);
    write(dir, { 'patchwise.yaml': 'hosts:\n  - name: a\n   tier: 1\n' });
    expect(problems(dir)[0]).toMatch(/^patchwise\.yaml:3:\d+: \(yaml\): /);
    write(dir, { 'patchwise.yaml': 'providers:\n  x: { kind: gcp }\n' });
    expect(problems(dir)).toEqual([
      'patchwise.yaml:2:14: providers.x.kind: unknown kind (got "gcp"). Hint: Provider kinds: lab, raff, command.',
    ]);
    write(dir, { 'patchwise.yaml': 'include: [missing.yaml]\n' });
    expect(() => loadConfig(path.join(dir, 'patchwise.yaml'), dir)).toThrow(
      /included file missing\.yaml does not exist/,
    );
  });

  it('warns when a host names a provider that is not configured', () => {
    const dir = tempDir();
    const loaded = loadConfig(
      write(dir, { 'patchwise.yaml': 'hosts:\n  - { name: a, provider: { name: aws, id: i-1 } }\n' }),
      dir,
    );
    expect(loaded.warnings[0]).toContain('names provider "aws"');
  });

  it('the CLI exits 2 and prints the located problems', () => {
    const dir = tempDir();
    write(dir, { 'patchwise.yaml': 'hosts:\n  - name: a\n    tier: 7\n' });
    const r = runCli(['hosts', 'list'], { cwd: dir, env: { PATCHWISE_HOME: path.join(dir, '.pw') } });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('patchwise.yaml:3:11: hosts[0].tier: expected 1, 2, 3 or 4 (got 7). Hint:');
  });
});

describe('loadConfig: windows', () => {
  const WINDOW = `windows:
  - name: web-monthly
    schedule: "FREQ=MONTHLY;BYDAY=2TU"
    offsetDays: 4
    start: "02:30"
    duration: 3h
    timeZone: Europe/Berlin
    scope: { tiers: [1], tags: { role: web } }
    impact: auto
    rollback: snapshot
    success: [services-healthy]
`;

  it('refuses a tier 1 window without owner, naming window, part, file and line', () => {
    const dir = tempDir();
    write(dir, { 'patchwise.yaml': WINDOW });
    const p = problems(dir);
    expect(p).toHaveLength(1);
    expect(p[0]).toMatch(
      /^patchwise\.yaml:2:\d+: windows\[0\]\.owner: window "web-monthly" covers tier 1 hosts but has no owner .*Hint: Add owner:/,
    );
  });

  it('accepts the window with its owner, freezes and releases', () => {
    const dir = tempDir();
    const text = `${WINDOW}    owner: team-web
freezes:
  - { name: year-end, from: "2026-12-20", to: "2027-01-04", timeZone: Europe/Berlin }
  - { name: release-fridays, schedule: "FREQ=WEEKLY;BYDAY=FR", duration: 24h, timeZone: Europe/Berlin }
releases:
  - { name: shop-2.4, at: "2026-12-15T04:00", timeZone: Europe/Berlin }
`;
    const loaded = loadConfig(write(dir, { 'patchwise.yaml': text }), dir);
    expect(loaded.config.windows[0]).toMatchObject({ name: 'web-monthly', owner: 'team-web', offsetDays: 4 });
    expect(loaded.config.freezes).toHaveLength(2);
    expect(loaded.config.releases[0]).toMatchObject({ name: 'shop-2.4' });
  });

  it('names the line of a bad time zone, schedule, duration and offset', () => {
    const dir = tempDir();
    write(dir, {
      'patchwise.yaml': `windows:
  - name: w
    schedule: "FREQ=SOMETIMES"
    start: "02:30"
    duration: 3 hours
    offsetDays: 31
    timeZone: Europe/Berlinn
`,
    });
    const p = problems(dir).join('\n');
    expect(p).toMatch(/patchwise\.yaml:3:\d+: windows\[0\]\.schedule: schedule not understood/);
    expect(p).toMatch(/patchwise\.yaml:5:\d+: windows\[0\]\.duration: duration: expected a duration/);
    expect(p).toMatch(/patchwise\.yaml:6:\d+: windows\[0\]\.offsetDays:/);
    expect(p).toMatch(/patchwise\.yaml:7:\d+: windows\[0\]\.timeZone: expected an IANA time zone name/);
  });
});

describe('loadConfig: windows covering tier 1 hosts by tag', () => {
  it('refuses a window whose tag scope covers a tier 2 host when it lacks rollback and success', () => {
    const dir = tempDir();
    write(dir, {
      'patchwise.yaml': `include: [hosts.yaml]
windows:
  - name: db-weekly
    schedule: FREQ=WEEKLY;BYDAY=SU
    start: "03:00"
    duration: 2h
    timeZone: UTC
    scope: { tags: { role: db } }
    owner: team-db
    impact: reboot
`,
      'hosts.yaml': 'hosts:\n  - { name: db-1, tier: 2, tags: { role: db } }\n',
    });
    expect(problems(dir)).toEqual([
      expect.stringMatching(
        /^patchwise\.yaml:3:1: windows\[0\]\.rollback: window "db-weekly" covers tier 2 \(host db-1\) hosts but has no rollback/,
      ),
      expect.stringMatching(
        /^patchwise\.yaml:3:1: windows\[0\]\.success: window "db-weekly" .* has no success/,
      ),
    ]);
  });
});
