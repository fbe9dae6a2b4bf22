/**
 * Fleet benchmark (not a test: it prints figures and asserts nothing about time).
 *
 * Builds a store of N hosts from real Debian 12 dpkg status files through the product's own commands
 * (`feeds import feeds/snapshot`, then `scan --from-status DIR --os debian:12`), hosts of about 15, 2,000
 * and 4,000 findings mixed (bench/fleet-hosts.ts says how each class is made), then times the CLI as a
 * user runs it, each command its own process: `assess --no-scan`, `plan`, `plan --json > /dev/null`,
 * `findings --limit 20`, `explain HOST`. Wall time and peak RSS of each child come from GNU time
 * (`/usr/bin/time -f '%e %M'`), never from this process.
 *
 * Knobs: BENCH_SIZES (default 1000,10000), BENCH_SEED, BENCH_MIX (percent small,medium,large; default
 * 20,50,30), BENCH_TIMEOUT (seconds per command, default 300), BENCH_KEEP=1 (keep the data and print it).
 *
 * Run: npm run build && npm run bench:fleet   (or BENCH_SIZES=100 npm run bench:fleet)
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  CLASSES,
  classBases,
  driftHost,
  readBookworm,
  readFeed,
  writeFleet,
  type HostClass,
} from './fleet-hosts.js';
import { prng } from './prng.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const DATA = path.resolve(ROOT, '../shared/data');
const CLI = path.join(ROOT, 'bin/patchwise.js');
const SIZES = (process.env.BENCH_SIZES ?? '1000,10000').split(',').map(Number);
const SEED = Number(process.env.BENCH_SEED ?? 20261205);
const MIX = (process.env.BENCH_MIX ?? '20,50,30').split(',').map(Number);
const TIMEOUT_S = Number(process.env.BENCH_TIMEOUT ?? 300);
const KEEP = process.env.BENCH_KEEP === '1';
/** Drifted hosts of each class scanned on the side to show the spread of their finding counts. */
const SAMPLES = 4;

const say = (s: string) => process.stdout.write(`${s}\n`);
const load = () =>
  os
    .loadavg()
    .map((l) => l.toFixed(2))
    .join(' ');

/** The timed child, in its own process group (so a timeout kills node too, not only GNU time). */
let running: ChildProcess | undefined;

interface Run {
  wallS: number;
  rssMiB: number | null;
  code: number | null;
  timedOut: boolean;
  stderrTail: string;
}

/** Runs one CLI command as its own process under GNU time; stdout to `out` (a file, or /dev/null). */
function timed(dataDir: string, args: string[], out: string): Promise<Run> {
  const timeFile = path.join(dataDir, '..', 'time.txt');
  const fd = fs.openSync(out, 'w');
  const t0 = performance.now();
  const child = spawn('/usr/bin/time', ['-f', '%e %M', '-o', timeFile, 'node', CLI, '-d', dataDir, ...args], {
    stdio: ['ignore', fd, 'pipe'],
    detached: true,
  });
  fs.closeSync(fd);
  let stderr = '';
  child.stderr!.on('data', (b: Buffer) => (stderr = (stderr + b.toString('utf8')).slice(-4000)));
  running = child;
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    process.kill(-child.pid!, 'SIGKILL');
  }, TIMEOUT_S * 1000);
  return new Promise((resolve) => {
    child.on('close', (code) => {
      clearTimeout(timer);
      running = undefined;
      // GNU time writes "Command exited with non-zero status N" first; the figures are the last line.
      const last = fs.existsSync(timeFile) ? fs.readFileSync(timeFile, 'utf8').trim().split('\n').pop() : '';
      fs.rmSync(timeFile, { force: true });
      const [e, m] = (last ?? '').split(' ').map(Number);
      resolve({
        wallS: timedOut || e === undefined || Number.isNaN(e) ? (performance.now() - t0) / 1000 : e,
        rssMiB: timedOut || m === undefined || Number.isNaN(m) ? null : m / 1024,
        code: timedOut ? null : code,
        timedOut,
        stderrTail: stderr.trim().split('\n').slice(-3).join('\n'),
      });
    });
  });
}

/** The CLI run plainly, for the calibration (not timed). */
function cli(dataDir: string, args: string[]): string {
  const r = spawnSync('node', [CLI, '-d', dataDir, ...args], { encoding: 'utf8', maxBuffer: 1 << 30 });
  if (r.status !== 0)
    throw new Error(`patchwise ${args.join(' ')}: exit ${r.status}: ${r.stderr.slice(-500)}`);
  return r.stdout;
}

function readInputs() {
  const fixture = path.join(ROOT, 'test/fixtures/status/debian12-host.status');
  // The live file changes when packages are installed here: the fixture is the stable copy.
  const hostFile = fs.existsSync(fixture) ? fixture : '/var/lib/dpkg/status';
  const hostText = fs.readFileSync(hostFile, 'utf8');
  const packages = hostText.match(/^Package:/gm)?.length ?? 0;
  say(
    `host status: ${hostFile === fixture ? path.relative(ROOT, fixture) : hostFile} (${packages} packages)`,
  );
  const feed = readFeed(path.join(ROOT, 'feeds/snapshot/debian-12-osv.zip'));
  const bases = classBases(
    fs.readFileSync(path.join(DATA, 'debian/minbase-bookworm.status'), 'utf8'),
    hostText,
    feed,
    readBookworm(path.join(DATA, 'debian/bookworm_main_source_versions.tsv')),
  );
  return { feed, bases };
}

type Calibration = Record<HostClass, { base: number; maxRecords: number; min: number; max: number }>;

/** Finding counts of each class's base and of SAMPLES drifted hosts, measured through the CLI. */
function calibrate(work: string, inputs: ReturnType<typeof readInputs>): Calibration {
  const dataDir = path.join(work, 'calibration');
  cli(dataDir, ['feeds', 'import', path.join(ROOT, 'feeds/snapshot')]);
  const count = (name: string, text: string): number => {
    const file = path.join(work, `${name}.status`);
    fs.writeFileSync(file, text);
    cli(dataDir, ['scan', '--from-status', file, '--os', 'debian:12', '--name', name]);
    // NDJSON: a header line, then one finding a line.
    const lines = cli(dataDir, ['findings', '--host', name, '--json']).split('\n').filter(Boolean);
    return lines.length - 1;
  };
  const rand = prng(SEED ^ 0x5eed);
  const out = {} as Calibration;
  for (const c of CLASSES) {
    const base = count(`calibrate-${c}`, inputs.bases[c]);
    // Five moves of at most maxRecords findings each stay within ±10% of the class's count.
    const maxRecords = Math.floor((base * 0.1) / 5);
    const samples = Array.from({ length: SAMPLES }, (_, k) =>
      count(`calibrate-${c}-${k}`, driftHost(inputs.bases[c], inputs.feed, maxRecords, 5, rand)),
    );
    out[c] = { base, maxRecords, min: Math.min(...samples), max: Math.max(...samples) };
  }
  return out;
}

/** N hosts' classes by BENCH_MIX, in a seeded shuffle. */
function assignClasses(n: number): HostClass[] {
  const total = MIX.reduce((a, b) => a + b, 0);
  const counts = MIX.map((m) => Math.round((n * m) / total));
  counts[1] = n - counts[0]! - counts[2]!;
  const classes = CLASSES.flatMap((c, i) => Array<HostClass>(counts[i]!).fill(c));
  const rand = prng(SEED);
  for (let i = classes.length - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1));
    [classes[i], classes[j]] = [classes[j]!, classes[i]!];
  }
  return classes;
}

const COMMANDS: { label: string; args: (host: string) => string[]; quiet?: boolean }[] = [
  { label: 'assess --no-scan', args: () => ['assess', '--no-scan'] },
  { label: 'plan', args: () => ['plan'] },
  { label: 'plan --json > /dev/null', args: () => ['plan', '--json'], quiet: true },
  { label: 'findings --limit 20', args: () => ['findings', '--limit', '20'] },
  { label: 'explain HOST', args: (h) => ['explain', h] },
];

type Row = { label: string } & Run;

/** Builds the store through the CLI: the directory scan, or (until it lands) a scan per file. */
async function buildStore(dir: string, dataDir: string, names: string[]): Promise<Row[]> {
  const out = path.join(dataDir, '..', 'stdout.txt');
  const rows: Row[] = [];
  rows.push({
    label: 'feeds import',
    ...(await timed(dataDir, ['feeds', 'import', path.join(ROOT, 'feeds/snapshot')], out)),
  });
  const scan = await timed(dataDir, ['scan', '--from-status', dir, '--os', 'debian:12'], out);
  if (scan.code !== 2) {
    rows.push({ label: 'scan --from-status DIR', ...scan });
    return rows;
  }
  // FALLBACK until `scan --from-status DIR` lands (wt-scan): one process per file, the single-file form.
  say(
    `WARNING: scan --from-status DIR refused (exit 2: ${scan.stderrTail.split('\n')[0]}); scanning file by file`,
  );
  const total: Run = { wallS: 0, rssMiB: 0, code: 0, timedOut: false, stderrTail: '' };
  for (const name of names) {
    const r = await timed(
      dataDir,
      ['scan', '--from-status', path.join(dir, name), '--os', 'debian:12', '--name', name],
      out,
    );
    total.wallS += r.wallS;
    total.rssMiB = Math.max(total.rssMiB ?? 0, r.rssMiB ?? 0);
    if (r.code !== 0) Object.assign(total, { code: r.code, timedOut: r.timedOut, stderrTail: r.stderrTail });
  }
  rows.push({ label: `scan, file by file (FALLBACK, ${names.length} processes)`, ...total });
  return rows;
}

async function benchSize(
  n: number,
  work: string,
  inputs: ReturnType<typeof readInputs>,
  cal: Calibration,
): Promise<Row[]> {
  const dir = path.join(work, `n${n}`, 'hosts');
  const dataDir = path.join(work, `n${n}`, 'data');
  const classes = assignClasses(n);
  const rand = prng(SEED + n);
  const t0 = performance.now();
  const names = writeFleet(dir, classes, (c) =>
    driftHost(inputs.bases[c], inputs.feed, cal[c].maxRecords, Math.floor(rand() * 6), rand),
  );
  const mix = CLASSES.map((c) => `${classes.filter((x) => x === c).length} ${c}`).join(', ');
  say(
    `\n== N = ${n} (${mix}); files written in ${((performance.now() - t0) / 1000).toFixed(1)} s, load ${load()}`,
  );
  const rows = await buildStore(dir, dataDir, names);
  const explainHost = names[classes.indexOf('large')] ?? names[0]!;
  say(`explain HOST: ${explainHost} (the first host of the large class)`);
  for (const c of COMMANDS) {
    const out = c.quiet ? '/dev/null' : path.join(work, `n${n}`, 'stdout.txt');
    rows.push({
      label: c.label,
      ...(await timed(dataDir, c.args(explainHost), out)),
    });
  }
  printRows(rows);
  say(`load at end: ${load()}`);
  if (!KEEP) fs.rmSync(path.dirname(dir), { recursive: true, force: true });
  return rows;
}

function printRows(rows: Row[]): void {
  const w = Math.max(...rows.map((r) => r.label.length));
  say(`${'command'.padEnd(w)}  ${'wall s'.padStart(8)}  ${'peak RSS MiB'.padStart(12)}  exit`);
  for (const r of rows) {
    const rss = r.rssMiB === null ? '-' : r.rssMiB.toFixed(0);
    const code = r.timedOut ? `timed out after ${TIMEOUT_S} s` : String(r.code);
    say(`${r.label.padEnd(w)}  ${r.wallS.toFixed(2).padStart(8)}  ${rss.padStart(12)}  ${code}`);
    if (!r.timedOut && r.code !== 0)
      for (const l of r.stderrTail.split('\n')) say(`${' '.repeat(w)}  stderr: ${l}`);
  }
}

async function main(): Promise<void> {
  say(
    `fleet bench: sizes ${SIZES.join(', ')}, seed ${SEED}, mix ${MIX.join('/')} % (small/medium/large), timeout ${TIMEOUT_S} s`,
  );
  say(`CPUs: ${os.cpus().length}, load at start: ${load()}`);
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'pw-bench-fleet-'));
  // Interrupted: stop the timed child (it is not in our process group) and clean up as at the end.
  for (const sig of ['SIGINT', 'SIGTERM'] as const)
    process.on(sig, () => {
      if (running?.pid) process.kill(-running.pid, 'SIGKILL');
      if (!KEEP) fs.rmSync(work, { recursive: true, force: true });
      process.exit(130);
    });
  try {
    const inputs = readInputs();
    const cal = calibrate(work, inputs);
    for (const c of CLASSES) {
      const k = cal[c];
      say(
        `class ${c}: ${k.base} findings (base); ${SAMPLES} drifted hosts: ${k.min}-${k.max} (sources with at most ${k.maxRecords} feed records move)`,
      );
    }
    const results = new Map<number, Row[]>();
    for (const n of SIZES) results.set(n, await benchSize(n, work, inputs, cal));
    printRatios(results);
  } finally {
    say(`\nload at end: ${load()}`);
    if (KEEP) say(`data kept in ${work}`);
    else fs.rmSync(work, { recursive: true, force: true });
  }
}

function printRatios(results: Map<number, Row[]>): void {
  const [a, b] = [SIZES[0]!, SIZES[SIZES.length - 1]!];
  if (a === b) return;
  say(`\npeak RSS ratio ${b} / ${a} hosts:`);
  for (const [i, r] of results.get(b)!.entries()) {
    const base = results.get(a)![i]!;
    const ratio = r.rssMiB && base.rssMiB ? (r.rssMiB / base.rssMiB).toFixed(2) : '-';
    say(`  ${base.label.replace(/ \(FALLBACK.*/, '')}: ${ratio}`);
  }
}

await main();
