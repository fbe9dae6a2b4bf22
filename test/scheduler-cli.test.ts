import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT, runCli, tempDir } from './helpers/cli.js';

const CONFIG = `hosts:
  - { name: web-1, tier: 3, exposure: internal, owner: team-web, tags: { role: web } }
  - { name: web-2, tier: 3, exposure: internal, owner: team-web, tags: { role: web } }
  - { name: db-1, tier: 3, exposure: internal, owner: team-db, tags: { role: db } }
windows:
  - name: nightly
    schedule: "FREQ=DAILY"
    start: "02:00"
    duration: 3h
    cutoff: 45m
    timeZone: UTC
    scope: { tags: { role: web } }
  - name: db-weekly
    schedule: "FREQ=WEEKLY;BYDAY=SU"
    start: "03:00"
    duration: 2h
    timeZone: Europe/Berlin
    scope: { tags: { role: db } }
freezes:
  - { name: year-end, from: "2026-12-20", to: "2027-01-04", timeZone: UTC }
`;

interface Event {
  window: string;
  occurrence: string;
  event: string;
  at: string;
  reason: string;
  detail: Record<string, unknown>;
}

function setup() {
  const dir = tempDir();
  fs.writeFileSync(path.join(dir, 'patchwise.yaml'), CONFIG);
  const env = { PATCHWISE_HOME: path.join(dir, '.pw') };
  const cli = (...args: string[]) => runCli(args, { cwd: dir, env });
  const events = (...filter: string[]): Event[] => {
    const r = cli('windows', 'events', '--json', ...filter);
    expect(r.code, r.stderr).toBe(0);
    return JSON.parse(r.stdout) as Event[];
  };
  /** Starts `scheduler` in the background; resolves on the first stdout line matching `until`. */
  const background = (args: string[]) => {
    const child = spawn(process.execPath, [path.join(ROOT, 'bin/patchwise.js'), 'scheduler', ...args], {
      cwd: dir,
      env: { ...process.env, CI: '1', ...env },
    });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    const ended = new Promise<number | string>((resolve) =>
      child.on('exit', (code, signal) => resolve(code ?? signal ?? -1)),
    );
    const waitFor = async (stream: 'out' | 'err', re: RegExp) => {
      for (let i = 0; i < 300 && !re.test(stream === 'out' ? out : err); i++)
        await new Promise((r) => setTimeout(r, 50));
      expect(stream === 'out' ? out : err).toMatch(re);
    };
    return { child, ended, waitFor, output: () => ({ out, err }) };
  };
  return { cli, events, background };
}

const key = (e: Event) => `${e.window} ${e.occurrence} ${e.event}`;

describe('patchwise scheduler', () => {
  it('--once twice with the same time records one opened event, with the plan of the window', () => {
    const { cli, events } = setup();
    const first = cli('scheduler', '--once', '--now', '2026-06-10T02:00:10Z');
    expect(first.code, first.stderr).toBe(0);
    expect(first.stdout).toMatch(
      /^2026-06-10T02:00:10Z opened nightly 2026-06-10T02:00:00Z: its start has come \[2 hosts in scope/m,
    );
    const again = cli('scheduler', '--once', '--now', '2026-06-10T02:00:10Z');
    expect(again.code, again.stderr).toBe(0);
    expect(again.stdout).toBe('');
    const recorded = events();
    expect(recorded.map(key)).toEqual(['nightly 2026-06-10T02:00:00Z opened']);
    expect(recorded[0]).toMatchObject({
      at: '2026-06-10T02:00:10Z',
      reason: 'its start has come',
      detail: { end: '2026-06-10T05:00:00Z', plan: { hosts: 2 } },
    });
  });

  it('records missed occurrences after a gap, closes the one left open, never replays', () => {
    const { cli, events } = setup();
    expect(cli('scheduler', '--once', '--now', '2026-06-10T02:00:00Z').code).toBe(0);
    const later = cli('scheduler', '--once', '--now', '2026-06-13T06:00:00Z');
    expect(later.code, later.stderr).toBe(0);
    expect(later.stdout).toMatch(/missed nightly 2026-06-11T02:00:00Z: the scheduler was not running/);
    expect(events('--window', 'nightly').map(key)).toEqual([
      'nightly 2026-06-10T02:00:00Z opened',
      'nightly 2026-06-11T02:00:00Z missed',
      'nightly 2026-06-12T02:00:00Z missed',
      'nightly 2026-06-13T02:00:00Z missed',
      'nightly 2026-06-10T02:00:00Z closed',
    ]);
    // db-weekly was first looked at on 10 June: Sunday 14 June is still ahead, nothing recorded.
    expect(events('--window', 'db-weekly')).toEqual([]);
    expect(cli('scheduler', '--once', '--now', '2026-06-13T06:00:00Z').stdout).toBe('');
  });

  it('opens late before the cutoff, records missed after it, and a frozen occurrence never opens', () => {
    const { cli, events } = setup();
    cli('scheduler', '--once', '--now', '2026-06-10T01:00:00Z');
    expect(cli('scheduler', '--once', '--now', '2026-06-10T03:00:00Z').stdout).toMatch(
      /opened nightly 2026-06-10T02:00:00Z: opened 60 minutes late/,
    );
    cli('scheduler', '--once', '--now', '2026-06-11T01:00:00Z');
    expect(cli('scheduler', '--once', '--now', '2026-06-11T04:20:00Z').stdout).toMatch(
      /missed nightly 2026-06-11T02:00:00Z: .*cutoff at 2026-06-11T04:15:00Z/,
    );
    cli('scheduler', '--once', '--now', '2026-12-21T01:00:00Z');
    const frozen = cli('scheduler', '--once', '--now', '2026-12-21T02:00:00Z');
    expect(frozen.stdout).toMatch(
      /frozen nightly 2026-12-21T02:00:00Z: the occurrence overlaps the freeze "year-end"/,
    );
    expect(
      events()
        .filter((e) => e.occurrence === '2026-12-21T02:00:00Z')
        .map((e) => e.event),
    ).toEqual(['frozen']);
  });

  it('killed with SIGKILL and restarted, opens each window once', async () => {
    const { events, background, cli } = setup();
    // Killed while starting or in its first pass (before the window): whatever it recorded is whole.
    const early = background(['--now', '2026-06-10T01:59:00Z', '--interval', '1']);
    setTimeout(() => early.child.kill('SIGKILL'), 150);
    expect(await early.ended).toBe('SIGKILL');
    // A second one opens the window (it starts one second after --now) and is killed once it has.
    const run = background(['--now', '2026-06-10T01:59:59Z', '--interval', '1']);
    await run.waitFor('out', /opened nightly 2026-06-10T02:00:00Z/);
    run.child.kill('SIGKILL');
    expect(await run.ended).toBe('SIGKILL');
    const again = background(['--now', '2026-06-10T02:00:30Z', '--interval', '1']);
    await again.waitFor('err', /running/);
    await new Promise((r) => setTimeout(r, 1500));
    again.child.kill('SIGKILL');
    await again.ended;
    expect(again.output().out).not.toMatch(/opened/);
    expect(cli('scheduler', '--once', '--now', '2026-06-10T02:01:00Z').stdout).toBe('');
    expect(events().map(key)).toEqual(['nightly 2026-06-10T02:00:00Z opened']);
  });

  it('ends cleanly on SIGTERM', async () => {
    const { background } = setup();
    const run = background(['--now', '2026-06-10T01:00:00Z']);
    await run.waitFor('err', /running, a pass every 30 s/);
    run.child.kill('SIGTERM');
    expect(await run.ended).toBe(0);
    expect(run.output().err).toMatch(/SIGTERM received, stopping/);
  });

  it('refuses a bad --interval with a hint; windows events says when nothing is recorded', () => {
    const { cli } = setup();
    const r = cli('scheduler', '--once', '--interval', '0');
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--interval takes seconds from 1 to 3600/);
    expect(cli('windows', 'events').stdout).toMatch(/No window events recorded/);
  });
});

describe('patchwise scheduler: the plan recorded with an opened window', () => {
  it('counts the hosts in scope and those scanned with open findings through the fleet pipeline', async () => {
    const { decideFleetDir } = await import('./decide-setup.js');
    const { cli } = decideFleetDir(`    tier: 3
windows:
  - name: fleet
    schedule: "FREQ=DAILY"
    start: "02:00"
    duration: 3h
    timeZone: UTC
    scope: { names: ["web-1", "build-1", "never-scanned"] }
    owner: alice
    impact: auto
    rollback: snapshot
    success: [services-healthy]
  - name: nobody
    schedule: "FREQ=DAILY"
    start: "02:00"
    duration: 3h
    timeZone: UTC
    scope: { names: ["none-*"] }
`);
    const r = cli('scheduler', '--once', '--now', '2026-06-10T02:00:00Z');
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/opened fleet .*\[2 hosts in scope, 2 of 2 scanned with open findings\]/);
    expect(r.stdout).toMatch(/opened nobody .*\[0 hosts in scope; the scope covers no host\]/);
    const [fleet] = JSON.parse(cli('windows', 'events', '--window', 'fleet', '--json').stdout) as Event[];
    expect(fleet!.detail.plan).toMatchObject({ hosts: 2, scanned: 2, withFindings: 2 });
    expect((fleet!.detail.plan as { findings: number }).findings).toBeGreaterThan(0);
  });
});
