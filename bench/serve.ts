/**
 * API benchmark (not a test: it prints figures and asserts nothing about time).
 *
 * Builds a store of BENCH_HOSTS hosts (default 10000) the way bench/fleet.ts does (real Debian 12 status
 * files drifted by bench/fleet-hosts.ts, `feeds import feeds/snapshot`, `scan --from-status DIR`), creates
 * a viewer token, starts `patchwise serve` as its own process, and runs autocannon from 127.0.0.1 with
 * BENCH_CONNECTIONS (50) connections for BENCH_DURATION (10) seconds against `GET /api/summary`,
 * `GET /api/findings?limit=50` and `GET /api/hosts/{name}`. Prints p50/p99 latency and requests/s of
 * each, the first (cold) call of each, and the server's peak RSS (VmHWM from /proc/PID/status).
 *
 * Needs ../shared/data (the Debian tables bench/fleet.ts reads). Run: npm run build && npm run bench:serve
 */
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';
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
const HOSTS = Number(process.env.BENCH_HOSTS ?? 10_000);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 50);
const DURATION = Number(process.env.BENCH_DURATION ?? 10);
const SEED = Number(process.env.BENCH_SEED ?? 20261205);
const MIX = [20, 50, 30];
/** Feed records one drift move changes at most (bench/fleet.ts calibrates this; a fixed value suffices here). */
const MAX_RECORDS = 20;

const say = (s: string) => process.stdout.write(`${s}\n`);

function cli(dataDir: string, args: string[]): string {
  const r = spawnSync('node', [CLI, '-d', dataDir, ...args], { encoding: 'utf8', maxBuffer: 1 << 30 });
  if (r.status !== 0)
    throw new Error(`patchwise ${args.join(' ')}: exit ${r.status}: ${r.stderr.slice(-500)}`);
  return r.stdout;
}

function classes(n: number): HostClass[] {
  const counts = MIX.map((m) => Math.round((n * m) / 100));
  counts[1] = n - counts[0]! - counts[2]!;
  const out = CLASSES.flatMap((c, i) => Array<HostClass>(counts[i]!).fill(c));
  const rand = prng(SEED);
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1));
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}

function buildStore(work: string): { dataDir: string; names: string[] } {
  const hostText = fs.readFileSync(path.join(ROOT, 'test/fixtures/status/debian12-host.status'), 'utf8');
  const feed = readFeed(path.join(ROOT, 'feeds/snapshot/debian-12-osv.zip'));
  const bases = classBases(
    fs.readFileSync(path.join(DATA, 'debian/minbase-bookworm.status'), 'utf8'),
    hostText,
    feed,
    readBookworm(path.join(DATA, 'debian/bookworm_main_source_versions.tsv')),
  );
  const dir = path.join(work, 'hosts');
  const dataDir = path.join(work, 'data');
  const rand = prng(SEED + HOSTS);
  let t0 = performance.now();
  const names = writeFleet(dir, classes(HOSTS), (c) =>
    driftHost(bases[c], feed, MAX_RECORDS, Math.floor(rand() * 6), rand),
  );
  say(`${HOSTS} status files written in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  t0 = performance.now();
  cli(dataDir, ['feeds', 'import', path.join(ROOT, 'feeds/snapshot')]);
  cli(dataDir, ['scan', '--from-status', dir, '--os', 'debian:12']);
  say(
    `store built (feeds import, scan --from-status DIR) in ${((performance.now() - t0) / 1000).toFixed(1)} s`,
  );
  return { dataDir, names };
}

function peakRssMiB(pid: number): number | null {
  const m = /VmHWM:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) / 1024 : null;
}

async function main(): Promise<void> {
  say(
    `serve bench: ${HOSTS} hosts, ${CONNECTIONS} connections, ${DURATION} s per route; CPUs ${os.cpus().length}`,
  );
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'pw-bench-serve-'));
  const { dataDir, names } = buildStore(work);
  // The bench measures the server, not its rate limit: lift it for the bench's one token.
  fs.writeFileSync(
    path.join(work, 'patchwise.yaml'),
    'server:\n  rateLimit: { max: 100000000, timeWindowSeconds: 60 }\n',
  );
  const token = (
    JSON.parse(cli(dataDir, ['tokens', 'create', '--role', 'viewer', '--name', 'bench', '--json'])) as {
      token: string;
    }
  ).token;
  const server = spawn('node', [CLI, '-d', dataDir, 'serve', '--listen', '127.0.0.1:0', '--no-scheduler'], {
    cwd: work,
    env: { ...process.env, PATCHWISE_LOG_LEVEL: 'warn' },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  try {
    const base = await new Promise<string>((resolve, reject) => {
      let out = '';
      server.stdout!.on('data', (d: Buffer) => {
        out += String(d);
        const m = /listening on (http:\/\/\S+)/.exec(out);
        if (m) resolve(m[1]!);
      });
      server.on('exit', (c) => reject(new Error(`serve exited ${c}`)));
    });
    const headers = { authorization: `Bearer ${token}` };
    const host = names[Math.floor(names.length / 2)]!;
    const routes = ['/api/summary', '/api/findings?limit=50', `/api/hosts/${host}`];
    say(
      `\n${'route'.padEnd(28)} ${'cold ms'.padStart(8)} ${'p50 ms'.padStart(7)} ${'p99 ms'.padStart(7)} ${'req/s'.padStart(8)} ${'non-2xx'.padStart(8)}`,
    );
    for (const r of routes) {
      const t0 = performance.now();
      const cold = await fetch(base + r, { headers });
      await cold.arrayBuffer();
      const coldMs = performance.now() - t0;
      if (cold.status !== 200) say(`${r}: cold call answered ${cold.status}`);
      const res = await autocannon({ url: base + r, connections: CONNECTIONS, duration: DURATION, headers });
      say(
        `${r.slice(0, 28).padEnd(28)} ${coldMs.toFixed(0).padStart(8)} ${String(res.latency.p50).padStart(7)} ${String(res.latency.p99).padStart(7)} ${res.requests.average.toFixed(0).padStart(8)} ${String(res.non2xx + res.errors).padStart(8)}`,
      );
    }
    const rss = peakRssMiB(server.pid!);
    say(`\nserver peak RSS (VmHWM): ${rss === null ? '-' : `${rss.toFixed(0)} MiB`}`);
  } finally {
    server.kill('SIGTERM');
    await new Promise((r) => server.once('exit', r));
    if (process.env.BENCH_KEEP !== '1') fs.rmSync(work, { recursive: true, force: true });
  }
}

await main();
