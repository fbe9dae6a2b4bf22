import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import type { Lab } from '../../lab/lab.js';
import { parseNdjson, ROOT, runCli, tempDir, type CliResult } from '../helpers/cli.js';
import { requireLab } from './require-lab.js';

/**
 * Issue 13 end to end on real hosts: `patchwise run` (the built CLI, as a user runs it) patches lab hosts
 * over real ssh with real apt, takes live lab snapshots, reboots, restarts, verifies with the hosts'
 * health checks and a rescan, rolls back from the snapshot, and resumes after SIGKILL.
 */
const PREFIX = 'labroll';
const NAMES = [1, 2, 3, 4, 5].map((i) => `${PREFIX}-${i}`);

interface StepView {
  step: string;
  status: string;
  attempts: number;
  startedAt: string;
  endedAt?: string;
  output: string;
  detail: Record<string, unknown>;
}
interface HostView {
  host: string;
  state: string;
  reason?: string;
  steps: StepView[];
}
interface RunView {
  run: { id: string; kind: string; reason?: string; state: string };
  hosts: HostView[];
}

describe(
  'patch the lab safely: snapshot, apply, reboot, restart, verify, roll back, resume',
  {
    timeout: 600_000,
  },
  () => {
    requireLab();
    let lab: Lab;
    let work: string;
    let dataDir: string;
    let labConfig: Record<string, unknown>;

    const configWith = (rollout: Record<string, unknown>): string => {
      const file = path.join(
        work,
        `patchwise-${Object.keys(rollout).join('-') || 'default'}-${Date.now()}.yaml`,
      );
      fs.writeFileSync(file, stringify({ ...labConfig, rollout }));
      return file;
    };
    let config: string;
    const pw = (args: string[], o: { config?: string; timeoutMs?: number } = {}): CliResult =>
      runCli(['--config', o.config ?? config, '--data-dir', dataDir, ...args], {
        timeoutMs: o.timeoutMs ?? 480_000,
      });
    const pwOk = (args: string[], o: { config?: string } = {}): string => {
      const r = pw(args, o);
      expect(r.code, `${args.join(' ')}\n${r.stdout}\n${r.stderr}`).toBe(0);
      return r.stdout;
    };
    const show = (id: string): RunView => JSON.parse(pwOk(['runs', 'show', id, '--json'])) as RunView;
    const hostOf = (v: RunView, name: string): HostView => v.hosts.find((h) => h.host === name)!;
    const stepOf = (h: HostView, step: string): StepView | undefined => h.steps.find((s) => s.step === step);
    const inHost = async (name: string, script: string): Promise<string> => {
      const r = await lab.exec(name, ['sh', '-c', script], { timeoutMs: 300_000 });
      expect(r.code, `${name}: ${script}\n${r.stderr}`).toBe(0);
      return r.stdout;
    };
    const version = (name: string, pkg: string) => inHost(name, `dpkg-query -W -f='\${Version}' ${pkg}`);
    const boots = (name: string) =>
      fs
        .readFileSync(lab.paths.host(name).boots, 'utf8')
        .split('\n')
        .filter((l) => l.startsWith('boot ')).length;
    /** How often apt's own history shows `pkg` installed at `to`. */
    const installs = async (name: string, pkg: string, to: string): Promise<number> => {
      const log = await inHost(name, 'cat /var/log/apt/history.log 2>/dev/null || true');
      const re = new RegExp(`\\b${pkg}:amd64 \\([^)]*\\b${to.replace(/[.+]/g, '\\$&')}\\)`, 'g');
      return log.match(re)?.length ?? 0;
    };
    const health = async (name: string): Promise<number> => {
      const h = lab.hosts().find((x) => x.name === name)!;
      return (await fetch(`http://${h.address}:8080/health`)).status;
    };
    /** Every host back to the state it had before any test patched it. */
    const resetHosts = async (names = NAMES) => {
      for (const n of names) await lab.restore(n, 'baseline');
    };
    const runId = (r: CliResult): string => {
      const id = parseNdjson(r.stdout).header.run;
      expect(typeof id, r.stdout + r.stderr).toBe('string');
      return id as string;
    };

    beforeAll(async () => {
      const { Lab: LabClass } = await import('../../lab/lab.js');
      lab = new LabClass({
        stateDir: '/var/lib/patchwise-lab-rollout',
        namePrefix: PREFIX,
        firstAddress: 221,
      });
      await lab.down();
      await lab.up(5, ['web']);
      for (const n of NAMES) await lab.snapshot(n, 'baseline');
      work = tempDir('patchwise-rollout-lab-');
      dataDir = path.join(work, 'data');
      labConfig = parse(fs.readFileSync(lab.paths.config, 'utf8')) as Record<string, unknown>;
      config = configWith({ settleSeconds: 2, canary: 0, maxConcurrency: 5 });
      // One import of both: a Debian:12 OSV source is replaced whole by the next import of one.
      pwOk([
        'feeds',
        'import',
        path.join(ROOT, 'lab/advisories'),
        path.join(ROOT, 'test/fixtures/advisories/bookworm-security'),
      ]);
      pwOk(['scan', '--all']);
    }, 900_000);

    afterAll(async () => {
      await lab?.down();
    }, 180_000);

    it("--dry-run shows the plan and apt's own simulation on the host, and changes nothing", async () => {
      const host = NAMES[0]!;
      const out = pwOk([
        'run',
        '--dry-run',
        '--emergency',
        '--reason',
        'lab test: dry',
        '--hosts',
        host,
        '--json',
      ]);
      const { header, records } = parseNdjson<{
        host: string;
        targets: { name: string; to: string }[];
        simulation?: string;
        problem?: string;
      }>(out);
      expect(header.dryRun).toBe(true);
      const h = records.find((x) => x.host === host)!;
      expect(h.problem).toBeUndefined();
      expect(h.targets.map((t) => t.name)).toEqual(expect.arrayContaining(['lab-web', 'perl-base']));
      expect(h.simulation).toMatch(/^Inst lab-web \[1\.0-1\] \(1\.0-2 /m);
      expect(await version(host, 'lab-web')).toBe('1.0-1');
      expect(JSON.parse(pwOk(['runs', 'list', '--json'])) as unknown[]).toEqual([]);
      expect(lab.listSnapshots(host).map((x) => x.name)).toEqual(['baseline']);
    });

    it('applies the plan: live snapshot, the lab packages and a real bookworm-security fix, exactly one reboot, verified, findings gone', async () => {
      const host = NAMES[0]!;
      const plan = JSON.parse(
        pwOk(['plan', '--json', '--decisions'])
          .split('\n')
          .find((l) => l.includes(`"host":"${host}"`))!,
      ) as { packages: { package: string }[] };
      const planned = plan.packages.map((p) => p.package).sort();
      expect(planned).toEqual(
        expect.arrayContaining(['lab-kernel', 'lab-libfoo', 'lab-web', 'perl', 'pcre2']),
      );
      const bootsBefore = boots(host);
      const r = pw(['run', '--emergency', '--reason', 'lab test: plan', '--hosts', host, '--json']);
      expect(r.code, r.stdout + r.stderr).toBe(0);
      const v = show(runId(r));
      expect(v.run.kind).toBe('emergency');
      expect(v.run.reason).toBe('lab test: plan');
      const h = hostOf(v, host);
      expect(h.state, JSON.stringify(h, null, 1)).toBe('verified');
      for (const s of ['precheck', 'snapshot', 'apply', 'reboot', 'verify'])
        expect(stepOf(h, s)?.status, s).toBe('ok');
      expect(stepOf(h, 'rollback')).toBeUndefined();
      expect(boots(host)).toBe(bootsBefore + 1);
      expect(await version(host, 'lab-web')).toBe('1.0-2');
      expect(await version(host, 'lab-kernel')).toBe('1.0-2');
      expect(await version(host, 'perl-base')).toMatch(/^5\.36\.0-7\+deb12u([4-9]|\d\d)$/);
      expect(await installs(host, 'perl-base', await version(host, 'perl-base'))).toBe(1);
      expect(lab.listSnapshots(host).some((s) => s.name.startsWith('patchwise-'))).toBe(true);
      // The verify step rescanned: the latest scan shows none of the planned packages open (a host with
      // nothing to do has no plan line, or one without packages).
      const after = pwOk(['plan', '--json'])
        .split('\n')
        .find((l) => l.includes(`"host":"${host}"`));
      if (after) expect((JSON.parse(after) as { packages: unknown[] }).packages).toEqual([]);
      expect(pwOk(['findings', '--host', host])).not.toMatch(/lab-web|perl|pcre2/);
      expect(await health(host)).toBe(200);
    });

    it('lab-libfoo: restarts lab-worker (no reboot), which then maps no deleted file', async () => {
      const host = NAMES[1]!;
      const bootsBefore = boots(host);
      const r = pw([
        'run',
        '--emergency',
        '--reason',
        'lab test: library',
        '--hosts',
        host,
        '--packages',
        'lab-libfoo=1.0-2',
        '--json',
      ]);
      expect(r.code, r.stdout + r.stderr).toBe(0);
      const h = hostOf(show(runId(r)), host);
      expect(h.state).toBe('verified');
      expect(stepOf(h, 'restart')?.status).toBe('ok');
      expect(JSON.stringify(stepOf(h, 'restart'))).toContain('lab-worker.service');
      expect(boots(host)).toBe(bootsBefore);
      const pid = (await inHost(host, 'systemctl show -p MainPID --value lab-worker')).trim();
      expect(Number(pid)).toBeGreaterThan(0);
      expect(await inHost(host, `grep -c '(deleted)' /proc/${pid}/maps || true`)).toBe('0\n');
    });

    it('a bad update (lab-web 1.0-3): health fails, rolled back from the snapshot, healthy on 1.0-1, exit 3', async () => {
      const host = NAMES[2]!;
      const r = pw([
        'run',
        '--emergency',
        '--reason',
        'lab test: bad',
        '--hosts',
        host,
        '--packages',
        'lab-web=1.0-3',
        '--json',
      ]);
      expect(r.code, r.stdout + r.stderr).toBe(3);
      const h = hostOf(show(runId(r)), host);
      expect(h.state, JSON.stringify(h, null, 1)).toBe('rolled-back');
      expect(stepOf(h, 'apply')?.status).toBe('ok');
      expect(stepOf(h, 'verify')?.status).toBe('failed');
      expect(stepOf(h, 'rollback')?.status).toBe('ok');
      expect(stepOf(h, 'verify-rollback')?.status).toBe('ok');
      expect(await version(host, 'lab-web')).toBe('1.0-1');
      expect(await health(host)).toBe(200);
      const text = pwOk(['runs', 'show', runId(r)]);
      expect(text).toMatch(/rolled-back/);
    });

    it('maxErrors: with 2 of 5 hosts broken, no new host starts once 2 have failed', async () => {
      await resetHosts();
      for (const n of NAMES.slice(0, 2)) await inHost(n, 'apt-mark hold lab-web');
      const cfg = configWith({ settleSeconds: 2, canary: 0, maxConcurrency: 1, maxErrors: 2 });
      const r = pw(
        ['run', '--emergency', '--reason', 'lab test: maxErrors', '--packages', 'lab-web=1.0-2', '--json'],
        {
          config: cfg,
        },
      );
      expect(r.code, r.stdout + r.stderr).toBe(3);
      const v = show(runId(r));
      const states = Object.fromEntries(v.hosts.map((h) => [h.host, h.state]));
      expect(['failed', 'rolled-back']).toContain(states[NAMES[0]!]);
      expect(['failed', 'rolled-back']).toContain(states[NAMES[1]!]);
      for (const n of NAMES.slice(2)) {
        expect(states[n], n).toBe('pending');
        expect(hostOf(v, n).steps).toEqual([]);
        expect(await version(n, 'lab-web')).toBe('1.0-1');
      }
    });

    it("a window run: a tier 1 host waits for the window owner's acknowledgement, then is patched in the open occurrence", async () => {
      const host = NAMES[3]!;
      await resetHosts([host]);
      // A daily window that opened ten minutes ago and lasts three hours: open now.
      const start = new Date(Date.now() - 10 * 60_000).toISOString().slice(11, 16);
      const cfg = path.join(work, 'window.yaml');
      const window = {
        name: 'lab-now',
        schedule: 'FREQ=DAILY',
        start,
        duration: '3h',
        timeZone: 'UTC',
        scope: { names: [host] },
        owner: 'team-web',
        impact: 'auto',
        rollback: 'snapshot',
        success: ['services-healthy', 'findings-fixed'],
      };
      fs.writeFileSync(
        cfg,
        stringify({ ...labConfig, rollout: { settleSeconds: 2, canary: 0 }, windows: [window] }),
      );
      const first = pw(['run', '--window', 'lab-now', '--json'], { config: cfg });
      expect(first.code, first.stdout + first.stderr).toBe(3);
      const skipped = hostOf(show(runId(first)), host);
      expect(skipped.state).toBe('skipped');
      expect(skipped.reason).toContain('window not acknowledged by its owner');
      expect(await version(host, 'lab-web')).toBe('1.0-1');
      pwOk(['windows', 'ack', 'lab-now', '--by', 'team-web'], { config: cfg });
      const second = pw(['run', '--window', 'lab-now', '--json'], { config: cfg });
      expect(second.code, second.stdout + second.stderr).toBe(0);
      const v = show(runId(second));
      expect(v.run.kind).toBe('window');
      expect(hostOf(v, host).state).toBe('verified');
      expect(await version(host, 'lab-web')).toBe('1.0-2');
    });

    /** Starts `run` in the background, SIGKILLs it while `step` runs on `host`, and returns the run id. */
    const killDuring = async (host: string, step: string, packages: string): Promise<string> => {
      const child = spawn(
        process.execPath,
        [
          path.join(ROOT, 'bin/patchwise.js'),
          ...['--config', config, '--data-dir', dataDir],
          ...[
            'run',
            '--emergency',
            '--reason',
            `crash during ${step}`,
            '--hosts',
            host,
            '--packages',
            packages,
          ],
        ],
        { stdio: 'ignore', env: { ...process.env, CI: '1' } },
      );
      const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
      const db = new Database(path.join(dataDir, 'patchwise.db'), { readonly: true, fileMustExist: true });
      try {
        const end = Date.now() + 300_000;
        for (;;) {
          const row = db
            .prepare(
              `SELECT run_id FROM run_step WHERE host = ? AND step = ? AND status = 'running' ORDER BY id DESC LIMIT 1`,
            )
            .get(host, step) as { run_id: string } | undefined;
          if (row) {
            child.kill('SIGKILL');
            await exited;
            return row.run_id;
          }
          if (child.exitCode !== null) throw new Error(`run ended before ${step} started on ${host}`);
          if (Date.now() > end) throw new Error(`${step} never started on ${host}`);
          await new Promise((r) => setTimeout(r, 20));
        }
      } finally {
        db.close();
      }
    };

    it.each([
      ['apply', 'lab-web=1.0-2', 'lab-web', '1.0-2'],
      ['reboot', 'lab-kernel=1.0-2', 'lab-kernel', '1.0-2'],
      ['snapshot', 'lab-web=1.0-2', 'lab-web', '1.0-2'],
    ])(
      'SIGKILL during %s, then runs resume: the host ends verified, each package installed once',
      async (step, pkgs, pkg, to) => {
        const host = NAMES[2]!;
        await resetHosts([host]);
        const bootsBefore = boots(host);
        const id = await killDuring(host, step, pkgs);
        expect(show(id).hosts[0]!.state).toBe('running');
        const r = pw(['runs', 'resume', id, '--json']);
        expect([0, 3], r.stdout + r.stderr).toContain(r.code);
        const h = hostOf(show(id), host);
        expect(['verified', 'rolled-back'], JSON.stringify(h, null, 1)).toContain(h.state);
        expect(h.state).toBe('verified');
        expect(await version(host, pkg)).toBe(to);
        expect(await installs(host, pkg, to)).toBe(1);
        if (step === 'reboot') expect(boots(host)).toBe(bootsBefore + 1);
        else expect(boots(host)).toBe(bootsBefore);
        // No finished step ran twice: each step's record was written once and attempted once, but the one killed.
        for (const s of h.steps) if (s.step !== step) expect(s.attempts, s.step).toBe(1);
      },
    );
  },
);
