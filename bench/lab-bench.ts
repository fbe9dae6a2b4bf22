/**
 * Shared plumbing of the lab benchmarks (bench/rollout.ts, bench/crash.ts): the bench's own lab (state
 * dir, prefix and addresses apart from a developer's lab and the lab tests), the built CLI run as a child
 * under GNU time, and the load average that goes with every figure (the machine is shared).
 */
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse, stringify } from 'yaml';
import { Lab } from '../lab/lab.js';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const CLI = path.join(ROOT, 'bin/patchwise.js');
/** The product's default `settleSeconds` (docs/runs.md). */
export const DEFAULT_SETTLE_S = 10;

export const say = (s: string) => process.stdout.write(`${s}\n`);
export const load = () =>
  os
    .loadavg()
    .map((l) => l.toFixed(2))
    .join(' ');

/** The bench's own lab: 127.0.1.100-119, apart from lab-N (.1+) and the lab tests (.170+, .201+, .211+). */
export function benchLab(): Lab {
  return new Lab({ stateDir: '/var/lib/patchwise-lab-bench', namePrefix: 'benchlab', firstAddress: 100 });
}

/** Runs `fn` with the lab down first and down again afterwards, also on error or Ctrl-C. */
export async function withLab<T>(fn: (lab: Lab) => Promise<T>): Promise<T> {
  const lab = benchLab();
  const stop = () => {
    say('interrupted: taking the lab down');
    void lab.down().finally(() => process.exit(130));
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  await lab.down();
  try {
    return await fn(lab);
  } finally {
    say(`taking the lab down (load ${load()})`);
    await lab.down();
    process.off('SIGINT', stop);
    process.off('SIGTERM', stop);
  }
}

/** At most `limit` of `fn` at once over `items`, results in order. */
export async function mapLimit<T, R>(
  items: readonly T[],
  limit: number,
  fn: (t: T) => Promise<R>,
): Promise<R[]> {
  const out: R[] = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i]!);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return out;
}

/** Runs a shell script inside a lab host; throws with its stderr unless it exits 0. */
export async function inHost(lab: Lab, host: string, script: string, timeoutMs = 600_000): Promise<string> {
  const r = await lab.exec(host, ['sh', '-c', script], { timeoutMs, check: false });
  if (r.code !== 0) throw new Error(`${host}: ${script}: exit ${r.code}\n${r.stderr.slice(-1500)}`);
  return r.stdout;
}

/** Writes the lab's patchwise.yaml with only `hosts` and a `rollout:` section; returns its path. */
export function benchConfig(lab: Lab, file: string, hosts: readonly string[], rollout: object): string {
  const cfg = parse(fs.readFileSync(lab.paths.config, 'utf8')) as { hosts: { name: string }[] };
  cfg.hosts = cfg.hosts.filter((h) => hosts.includes(h.name));
  fs.writeFileSync(file, stringify({ ...cfg, rollout }));
  return file;
}

export interface Timed {
  wallS: number;
  rssMiB: number | null;
  code: number | null;
  stdout: string;
  stderr: string;
  /** Seconds from spawn to the child's first stdout bytes (NaN when it printed nothing). */
  firstOutputS: number;
  /** Date.now() at spawn, to place the run's recorded times (createdAt) against the process's start. */
  spawnedAtMs: number;
}

/** Runs argv under GNU time (`%e %M`): wall seconds and peak RSS of the child, from process start to exit. */
export function timed(
  argv: readonly string[],
  work: string,
  env: NodeJS.ProcessEnv = process.env,
): Promise<Timed> {
  const timeFile = path.join(work, `time-${process.pid}.txt`);
  const child = spawn('/usr/bin/time', ['-f', '%e %M', '-o', timeFile, ...argv], {
    cwd: ROOT,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const spawnedAtMs = Date.now();
  const t0 = performance.now();
  let firstOutputS = NaN;
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (b: Buffer) => {
    if (!stdout) firstOutputS = (performance.now() - t0) / 1000;
    stdout += b.toString('utf8');
  });
  child.stderr.on('data', (b: Buffer) => (stderr = (stderr + b.toString('utf8')).slice(-20_000)));
  return new Promise((resolve) => {
    child.on('close', (code) => {
      const last = fs.existsSync(timeFile) ? fs.readFileSync(timeFile, 'utf8').trim().split('\n').pop() : '';
      fs.rmSync(timeFile, { force: true });
      const [e, m] = (last ?? '').split(' ').map(Number);
      resolve({
        wallS: e ?? NaN,
        rssMiB: m === undefined || Number.isNaN(m) ? null : m / 1024,
        code,
        stdout,
        stderr,
        firstOutputS,
        spawnedAtMs,
      });
    });
  });
}

/** The built CLI with a config and a data dir, run plainly (untimed setup and read-back). */
export function cli(config: string, dataDir: string, args: readonly string[]): string {
  const r = spawnSync('node', [CLI, '--config', config, '--data-dir', dataDir, ...args], {
    cwd: ROOT,
    encoding: 'utf8',
    maxBuffer: 1 << 28,
  });
  if (r.status !== 0)
    throw new Error(`patchwise ${args.join(' ')}: exit ${r.status}: ${r.stderr.slice(-1500)}`);
  return r.stdout;
}

export interface StepView {
  step: string;
  status: string;
  attempts: number;
  startedAt: string;
  endedAt?: string | null;
}
export interface RunShow {
  run: { id: string; state: string; createdAt: string; finishedAt?: string | null };
  hosts: { host: string; batch: number; state: string; reason?: string | null; steps: StepView[] }[];
}

export function showRun(config: string, dataDir: string, id: string): RunShow {
  return JSON.parse(cli(config, dataDir, ['runs', 'show', id, '--json'])) as RunShow;
}

const STEPS = ['precheck', 'snapshot', 'apply', 'reboot', 'restart', 'verify'];

/** Mean and max time per host of each step (startedAt..endedAt), across the run's hosts. */
export function stepFigures(show: RunShow): string[] {
  const lines: string[] = [];
  for (const step of STEPS) {
    const d = show.hosts.flatMap((h) =>
      h.steps
        .filter((s) => s.step === step && s.endedAt)
        .map((s) => (Date.parse(s.endedAt!) - Date.parse(s.startedAt)) / 1000),
    );
    if (d.length === 0) {
      lines.push(`    ${step.padEnd(9)} not run on any host`);
      continue;
    }
    const mean = d.reduce((a, b) => a + b, 0) / d.length;
    lines.push(`    ${step.padEnd(9)} mean ${fmt(mean)} s, max ${fmt(Math.max(...d))} s (${d.length} hosts)`);
  }
  return lines;
}

/**
 * Where a run's wall time went: process start to the run recorded (its createdAt), the run's own span
 * (createdAt..finishedAt) split by batch (first step start .. last step end of the batch's hosts), and
 * the end of the run to the process's exit.
 */
export function phases(show: RunShow, run: Timed): string[] {
  const t = (s: string | null | undefined) => (s ? Date.parse(s) : NaN);
  const created = t(show.run.createdAt);
  const finished = t(show.run.finishedAt);
  const batches = [...new Set(show.hosts.map((h) => h.batch))].sort((a, b) => a - b);
  const startup = (created - run.spawnedAtMs) / 1000;
  const span = (finished - created) / 1000;
  const out = [
    `    process start to run recorded (createdAt) ${fmt(startup)} s; recorded to finished ${fmt(span)} s; finished to exit ${fmt(run.wallS - startup - span)} s`,
  ];
  for (const b of batches) {
    const steps = show.hosts.filter((h) => h.batch === b).flatMap((h) => h.steps);
    const start = Math.min(...steps.map((s) => t(s.startedAt)));
    const end = Math.max(...steps.map((s) => t(s.endedAt)).filter(Number.isFinite));
    out.push(
      `    batch ${b}: ${show.hosts.filter((h) => h.batch === b).length} hosts, ${fmt((end - start) / 1000)} s (starts ${fmt((start - created) / 1000)} s after the run was recorded)`,
    );
  }
  return out;
}

/** The run id from `run --json`'s header line (the first line). */
export function runIdOf(ndjson: string): string | undefined {
  const first = ndjson.split('\n').find((l) => l.trim());
  if (!first) return undefined;
  try {
    return (JSON.parse(first) as { run?: string }).run;
  } catch {
    return undefined;
  }
}

export const fmt = (n: number, d = 2) => (Number.isFinite(n) ? n.toFixed(d) : '-');
