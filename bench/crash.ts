/**
 * Crash benchmark (not a test: it prints figures and asserts nothing about time).
 *
 * Kills the controller of a real 5-host run with SIGKILL at a random moment, BENCH_KILLS times, and
 * continues each run with `patchwise runs resume RUN` (the resume itself is never killed). The hosts are
 * lab hosts of role web (lab-web behind an http health check), patched with
 * `--packages lab-web=1.0-2,lab-kernel=1.0-2`, so each host has a restore point, an apply, a reboot
 * (lab-kernel asks for one) and a verify to be killed in. Before every iteration the 5 hosts are
 * restored to the `crash-base` snapshot. The kill moment is a seeded-random delay (bench/prng.ts) within
 * the duration of one unkilled run, measured first.
 *
 * Printed: where each kill landed (the steps `running` in `runs show` before resuming), how many runs
 * ended with every host verified or rolled back, and what ran twice, counted from the hosts themselves:
 * apt history entries installing lab-web 1.0-2 / lab-kernel 1.0-2 more than once on a host, boots (the
 * lab's boots.log) more than once per host during the iteration, more than one restore point of the run
 * per host; and, separately, steps the run store shows with attempts > 1 (re-attempted after examine).
 *
 * Knobs: BENCH_KILLS (default 20), BENCH_SEED, BENCH_SETTLE (settleSeconds, default the product's 10).
 * Needs root, the lab's prerequisites and `npm run build`.
 *
 * Run: npm run build && npm run bench:crash
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Lab } from '../lab/lab.js';
import {
  CLI,
  DEFAULT_SETTLE_S,
  ROOT,
  benchConfig,
  cli,
  fmt,
  inHost,
  load,
  mapLimit,
  runIdOf,
  say,
  showRun,
  stepFigures,
  timed,
  withLab,
  type RunShow,
} from './lab-bench.js';
import { prng } from './prng.js';

const KILLS = Number(process.env.BENCH_KILLS ?? 20);
const SEED = Number(process.env.BENCH_SEED ?? 20261205);
const SETTLE_S = Number(process.env.BENCH_SETTLE ?? DEFAULT_SETTLE_S);
const HOSTS = 5;
const BASE = 'crash-base';
const PACKAGES = 'lab-web=1.0-2,lab-kernel=1.0-2';

interface HostMarks {
  boots: number;
}

const bootLines = (lab: Lab, h: string): number => {
  const f = lab.paths.host(h).boots;
  return fs.existsSync(f)
    ? fs
        .readFileSync(f, 'utf8')
        .split('\n')
        .filter((l) => l.startsWith('boot ')).length
    : 0;
};

/** apt history entries (Install/Upgrade lines) that put `pkg` at `version`, per host. */
async function installs(lab: Lab, h: string): Promise<Record<string, number>> {
  const text = await inHost(lab, h, 'cat /var/log/apt/history.log 2>/dev/null || true');
  const count = (pkg: string, version: string) =>
    text
      .split('\n')
      .filter((l) => /^(Install|Upgrade|Reinstall):/.test(l))
      .reduce((n, l) => {
        const re = new RegExp(`(^|[ ,:])${pkg}:[a-z0-9]+ \\(([^)]*)\\)`, 'g');
        let m: RegExpExecArray | null;
        let k = 0;
        while ((m = re.exec(l))) if (m[2]!.split(', ').pop() === version) k++;
        return n + k;
      }, 0);
  return { 'lab-web': count('lab-web', '1.0-2'), 'lab-kernel': count('lab-kernel', '1.0-2') };
}

async function reset(lab: Lab, names: string[]): Promise<Record<string, HostMarks>> {
  await mapLimit(names, 5, async (h) => {
    await lab.restore(h, BASE);
    for (const s of lab.listSnapshots(h)) if (s.name.startsWith('patchwise-')) lab.deleteSnapshot(h, s.name);
  });
  return Object.fromEntries(names.map((h) => [h, { boots: bootLines(lab, h) }]));
}

const runArgs = (cfg: string, dataDir: string) => [
  CLI,
  '--config',
  cfg,
  '--data-dir',
  dataDir,
  'run',
  '--emergency',
  '--reason',
  'bench-crash',
  '--packages',
  PACKAGES,
  '--json',
];

/** Starts the run and SIGKILLs its process after `delayMs`; resolves with whether the kill came first. */
function killedRun(
  cfg: string,
  dataDir: string,
  out: string,
  delayMs: number,
): Promise<{ killed: boolean; code: number | null }> {
  const fd = fs.openSync(out, 'w');
  const child = spawn('node', runArgs(cfg, dataDir), { cwd: ROOT, stdio: ['ignore', fd, fd] });
  fs.closeSync(fd);
  let killed = false;
  const timer = setTimeout(() => {
    killed = child.kill('SIGKILL');
  }, delayMs);
  return new Promise((resolve) =>
    child.on('exit', (code) => {
      clearTimeout(timer);
      resolve({ killed: killed && code === null, code });
    }),
  );
}

function latestRunId(cfg: string, dataDir: string, known: Set<string>): string | undefined {
  const list = JSON.parse(cli(cfg, dataDir, ['runs', 'list', '--json'])) as { id: string }[];
  return list.find((r) => !known.has(r.id))?.id;
}

async function main(): Promise<void> {
  say(`bench:crash ${new Date().toISOString()}, ${os.cpus().length} CPUs, load ${load()}`);
  say(`${KILLS} kills, seed ${SEED}, ${HOSTS} web hosts, --packages ${PACKAGES}`);
  say(
    `rollout: canary 0, maxConcurrency ${HOSTS}, settleSeconds ${SETTLE_S} (restorePoint: the default, required for these tier 1 hosts)`,
  );
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'patchwise-bench-crash-'));
  const dataDir = path.join(work, 'data');
  const rand = prng(SEED);
  await withLab(async (lab) => {
    await lab.up(HOSTS, ['web']);
    const names = lab.hosts().map((h) => h.name);
    await mapLimit(names, 5, (h) => lab.snapshot(h, BASE));
    const cfg = benchConfig(lab, path.join(work, 'crash.yaml'), names, {
      canary: 0,
      maxConcurrency: HOSTS,
      settleSeconds: SETTLE_S,
    });
    cli(cfg, dataDir, ['feeds', 'import', path.join(ROOT, 'lab/advisories')]);
    cli(cfg, dataDir, ['scan', '--all']);
    say(`lab up, crash-base snapshots, feeds import lab/advisories, scan --all: untimed (load ${load()})`);
    const baseInstalls = Object.fromEntries(
      await mapLimit(names, 5, async (h) => [h, await installs(lab, h)] as const),
    );
    const known = new Set<string>();

    // One unkilled run: its duration bounds the kill moments.
    await reset(lab, names);
    const loadRef = load();
    const ref = await timed(['node', ...runArgs(cfg, dataDir)], work);
    const refId = runIdOf(ref.stdout);
    if (refId) known.add(refId);
    const refShow = refId ? showRun(cfg, dataDir, refId) : undefined;
    say(
      `unkilled run: ${fmt(ref.wallS)} s, exit ${ref.code}, ${refShow?.hosts.filter((h) => h.state === 'verified').length ?? 0}/${HOSTS} verified [load ${loadRef} -> ${load()}]`,
    );
    if (!refShow || ref.code !== 0) {
      say(ref.stdout.slice(-2000) + ref.stderr.slice(-1000));
      throw new Error('the unkilled run did not verify every host: nothing to measure');
    }
    // A kill before the run is recorded (its createdAt) leaves no run to resume, so the kill moments are
    // drawn between that moment and the end of the unkilled run.
    const createdMs = Math.max(0, Date.parse(refShow.run.createdAt) - ref.spawnedAtMs);
    const durationMs = ref.wallS * 1000;
    say(
      `  run createdAt ${fmt(createdMs / 1000)} s after the process started; kills drawn uniformly in [${fmt(createdMs / 1000, 1)}, ${fmt(ref.wallS, 1)}] s`,
    );
    say('  unkilled run, per-step time per host:');
    for (const l of stepFigures(refShow)) say(l);

    let good = 0;
    /** Kills that came before the run was in the store: nothing to resume; the hosts must be unchanged. */
    let unrecorded = 0;
    /** Killed runs whose id had reached stdout (the NDJSON header) before the kill. */
    let idsPrinted = 0;
    let doubleRuns = 0;
    const reattempts: string[] = [];
    const landed = new Map<string, number>();
    say('\n iter  kill@s  landed in (host:step)                          resumed  end state        doubles');
    for (let i = 1; i <= KILLS; i++) {
      const marks = await reset(lab, names);
      const delayMs = Math.floor(createdMs + rand() * (durationMs - createdMs));
      const out = path.join(work, `run-${i}.ndjson`);
      const k = await killedRun(cfg, dataDir, out, delayMs);
      const printedId = runIdOf(fs.readFileSync(out, 'utf8'));
      if (k.killed && printedId) idsPrinted++;
      const id = printedId ?? latestRunId(cfg, dataDir, known);
      let where = 'no run recorded yet';
      let endState = '-';
      let resumeS = NaN;
      let show: RunShow | undefined;
      if (id) {
        known.add(id);
        const before = showRun(cfg, dataDir, id);
        const running = before.hosts.flatMap((h) =>
          h.steps
            .filter((s) => s.status === 'running')
            .map((s) => `${h.host.replace(/^benchlab-/, '')}:${s.step}`),
        );
        const steps = new Set(running.map((r) => r.split(':')[1]!));
        if (!k.killed) where = `not killed (exit ${k.code} first)`;
        else if (running.length === 0) where = `between steps (run ${before.run.state})`;
        else where = running.join(' ');
        const key = !k.killed
          ? 'finished before the kill'
          : steps.size === 0
            ? 'between steps'
            : [...steps].sort().join('+');
        landed.set(key, (landed.get(key) ?? 0) + 1);
        const r = await timed(
          ['node', CLI, '--config', cfg, '--data-dir', dataDir, 'runs', 'resume', id],
          work,
        );
        resumeS = r.wallS;
        if (r.code !== 0 && r.code !== 3) say(`  resume exit ${r.code}: ${r.stderr.slice(-600)}`);
        show = showRun(cfg, dataDir, id);
        endState = show.run.state;
      } else {
        unrecorded++;
        landed.set('before the run was recorded', (landed.get('before the run was recorded') ?? 0) + 1);
      }

      // What ran twice, from the hosts themselves.
      const doubles: string[] = [];
      for (const h of names) {
        const inst = await installs(lab, h);
        for (const [p, n] of Object.entries(inst)) {
          const added = n - (baseInstalls[h]![p] ?? 0);
          if (added > 1) doubles.push(`${h}:${p} installed x${added}`);
          if (!id && added > 0) doubles.push(`${h}:${p} installed with no run recorded`);
        }
        const boots = bootLines(lab, h) - marks[h]!.boots;
        if (!id && boots > 0) doubles.push(`${h}: booted with no run recorded`);
        const rolledBack = show?.hosts.find((x) => x.host === h)?.state === 'rolled-back';
        // A rollback restores the restore point, which boots the host once more.
        if (boots > (rolledBack ? 2 : 1))
          doubles.push(`${h}: ${boots} boots${rolledBack ? ' (rolled back)' : ''}`);
        const snaps = id
          ? lab.listSnapshots(h).filter((s) => s.name.startsWith(`patchwise-${id}`)).length
          : 0;
        if (snaps > 1) doubles.push(`${h}: ${snaps} restore points`);
      }
      doubleRuns += doubles.length;
      for (const h of show?.hosts ?? [])
        for (const s of h.steps)
          if (s.attempts > 1) reattempts.push(`#${i} ${h.host}:${s.step} x${s.attempts}`);
      const ok =
        show !== undefined && show.hosts.every((h) => h.state === 'verified' || h.state === 'rolled-back');
      if (ok) good++;
      const states = show ? [...new Set(show.hosts.map((h) => h.state))].join('/') : '-';
      say(
        ` ${String(i).padStart(4)}  ${fmt(delayMs / 1000, 1).padStart(6)}  ${where.slice(0, 46).padEnd(46)} ${fmt(resumeS, 1).padStart(6)} s  ${`${endState} ${states}`.padEnd(16)} ${doubles.length ? doubles.join('; ') : '0'}  [load ${load()}]`,
      );
      // Rolled-back hosts too: why their verify failed.
      for (const h of show?.hosts ?? [])
        if (h.state !== 'verified') say(`        ${h.host}: ${h.state} ${h.reason ?? ''}`);
    }
    say(
      `\nruns ending with every host verified or rolled back: ${good}/${KILLS} (target ${KILLS}/${KILLS}); kills before the run was recorded (no run to resume; changes on the hosts are counted below): ${unrecorded}`,
    );
    say(
      `steps run twice (apt installs, boots, restore points counted on the hosts): ${doubleRuns} (target 0)`,
    );
    say(
      `re-attempted after examine (runs show attempts > 1): ${reattempts.length}${reattempts.length ? `: ${reattempts.join(', ')}` : ''}`,
    );
    say(
      `killed runs whose id was on stdout (run --json header) before the kill: ${idsPrinted} (the others' id came from runs list)`,
    );
    say(`kills landed in: ${[...landed].map(([k, n]) => `${k} ${n}`).join(', ')}`);
  });
  say(`done ${new Date().toISOString()}, load ${load()}; work dir ${work}`);
}

main().catch((e: unknown) => {
  process.stderr.write(`${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
  process.exitCode = 1;
});
