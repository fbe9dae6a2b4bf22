/**
 * Matching benchmark (not a test: it prints figures and asserts nothing about time).
 *
 * A fleet of BENCH_HOSTS hosts (default 10,000) whose dpkg-query output is drawn from the real Debian
 * indices in ../shared/data/debian (bookworm source versions, bookworm-security Sources and Packages),
 * 300-1,500 packages each, versions from bookworm, bookworm-security and the fixed versions in between,
 * matched against the real Debian 12 OSV set plus synthetic OSV records up to BENCH_PAIRS (package, range)
 * pairs (default 200,000). Fixed seed (BENCH_SEED) so runs compare.
 *
 * Prints hosts per second, findings, peak RSS, and the ratio of matching time (index build +
 * matchHostCompact + counting findings and known-exploited ones) to the time of parsing the same inputs
 * (parseDpkgQuery of every host + parseOsvRecord of every record), wall and CPU, with the load average.
 * Hosts go through the commands' own per-host step (`HostPipeline` of src/app/fleet-pipeline.ts: the
 * stored dpkg-query lines through the run's reader, `matchHostCompact`, then `FleetDecider`), timed step
 * by step; deciding is printed on its own line, outside the ratio.
 * Separately, the cost of materializeFindings for BENCH_SAMPLE hosts (default 100), outside the ratio.
 *
 * Run: npm run bench:match   (or BENCH_HOSTS=1000 npm run bench:match)
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { strFromU8, unzipSync } from 'fflate';
import type { AffectedPackage } from '../src/core/advisories/advisory.js';
import { buildAdvisoryIndex } from '../src/core/advisories/advisory-index.js';
import type { CompactMatch } from '../src/core/advisories/match-compact.js';
import { knownExploitedCount, materializeFindings } from '../src/core/advisories/match-host.js';
import { parseOsvRecord } from '../src/core/advisories/parse-osv.js';
import type { EpssScore } from '../src/core/findings/finding.js';
import { parseEolCsv } from '../src/core/intel/eol.js';
import { HostPipeline } from '../src/app/fleet-pipeline.js';
import type { StoredScan } from '../src/adapters/store/scan-store.js';
import { FleetDecider } from '../src/core/policy/fleet-decider.js';
import { defaultPolicy } from '../src/core/policy/policy-schema.js';
import { parseKev, type KevCatalog } from '../src/core/intel/kev.js';
import { prng } from './prng.js';

const DATA = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../shared/data');
const HOSTS = Number(process.env.BENCH_HOSTS ?? 10_000);
const PAIRS = Number(process.env.BENCH_PAIRS ?? 200_000);
const SEED = Number(process.env.BENCH_SEED ?? 20261125);
/** Hosts generated, then parsed, then matched per clock span: small, so a batch's parsed packages die young. */
const BATCH = Number(process.env.BENCH_BATCH ?? 5);
const SAMPLE = Number(process.env.BENCH_SAMPLE ?? 100);

/** mulberry32: a small, fast, seeded PRNG. */
const rand = prng(SEED);
const pick = <T>(a: readonly T[]): T => a[Math.floor(rand() * a.length)]!;

function stanzas(text: string): Map<string, string>[] {
  return text.split('\n\n').map((s) => {
    const m = new Map<string, string>();
    for (const line of s.split('\n')) {
      const c = line.indexOf(':');
      if (c > 0 && line[0] !== ' ') m.set(line.slice(0, c), line.slice(c + 1).trim());
    }
    return m;
  });
}

const xz = (file: string) =>
  execFileSync('xz', ['-dc', path.join(DATA, 'debian', file)], { maxBuffer: 1 << 30 }).toString('utf8');

/** Source packages with their bookworm version, security version, binaries and known fixed versions. */
interface SourcePool {
  name: string;
  versions: string[];
  binaries: string[];
  /** one dpkg-query block (newline-terminated bytes) per candidate version, built once */
  lines: Buffer[];
}

function loadSources(osvFixed: Map<string, Set<string>>) {
  const bookworm = new Map<string, string>();
  for (const line of fs
    .readFileSync(path.join(DATA, 'debian/bookworm_main_source_versions.tsv'), 'utf8')
    .split('\n')
    .slice(1)) {
    const [name, version] = line.split('\t');
    if (name && version) bookworm.set(name, version);
  }
  const security = new Map<string, string>();
  for (const s of stanzas(xz('bookworm-security_main_Sources.xz'))) {
    const p = s.get('Package');
    const v = s.get('Version');
    if (p && v) security.set(p, v);
  }
  const binaries = new Map<string, string[]>();
  for (const s of stanzas(xz('bookworm-security_main_binary-amd64_Packages.xz'))) {
    const p = s.get('Package');
    if (!p) continue;
    const src = (s.get('Source') ?? p).split(' ')[0]!;
    const list = binaries.get(src) ?? [];
    if (list.length < 4) list.push(p);
    binaries.set(src, list);
  }
  const all: SourcePool[] = [];
  const relevant: SourcePool[] = [];
  for (const [name, v] of bookworm) {
    const versions = [v, ...(osvFixed.get(name) ?? []), ...(security.has(name) ? [security.get(name)!] : [])];
    const bins = binaries.get(name) ?? [name];
    const uniq = [...new Set(versions)];
    const lines = uniq.map((ver) =>
      Buffer.from(bins.map((b) => `${b}\t${ver}\t${name}\t${ver}\tamd64\tii \n`).join('')),
    );
    const pool = { name, versions: uniq, binaries: bins, lines };
    all.push(pool);
    if (uniq.length > 1) relevant.push(pool);
  }
  return { all, relevant, bookworm };
}

function loadRealOsv(): string[] {
  const zip = unzipSync(fs.readFileSync(path.join(DATA, 'advisories/debian-12-osv.zip')));
  return Object.values(zip).map((b) => strFromU8(b));
}

const VECTORS = [
  'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H',
  'CVSS:3.1/AV:N/AC:H/PR:N/UI:N/S:U/C:N/I:N/A:H',
  'CVSS:3.1/AV:L/AC:L/PR:L/UI:N/S:U/C:H/I:N/A:N',
  'CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N',
];

/** Synthetic OSV records of real bookworm sources, shaped like a distro feed's history. */
function syntheticOsv(pairs: number, bookworm: Map<string, string>, epss: Map<string, EpssScore>): string[] {
  const names = [...bookworm.keys()];
  const out: string[] = [];
  let n = 0;
  for (let i = 0; n < pairs; i++) {
    const pkg = pick(names);
    const v = bookworm.get(pkg)!;
    const cve = `CVE-2099-${String(100000 + i)}`;
    const r = rand();
    let ranges: object[][];
    if (r < 0.85) ranges = [[{ introduced: '0' }, { fixed: `${v}~pre${i % 7}` }]];
    else if (r < 0.93) ranges = [[{ introduced: '0' }, { fixed: `${v}+deb12u${50 + (i % 9)}` }]];
    else if (r < 0.96) ranges = [[{ introduced: '0' }]];
    else if (r < 0.98) ranges = [[{ introduced: v }, { last_affected: v }]];
    else
      ranges = [
        [{ introduced: '0' }, { fixed: `${v}~pre1` }],
        [{ introduced: `${v}+x1` }, { fixed: `${v}+x9` }],
      ];
    n += ranges.length;
    if (rand() < 0.3) epss.set(cve, { cve, score: Math.round(rand() * 1000) / 1000, percentile: rand() });
    const severity =
      rand() < 0.5
        ? [{ type: VECTORS[i % 4]!.startsWith('CVSS:4') ? 'CVSS_V4' : 'CVSS_V3', score: VECTORS[i % 4]! }]
        : undefined;
    out.push(
      JSON.stringify({
        schema_version: '1.6.0',
        id: `DEBIAN-${cve}`,
        aliases: [cve],
        ...(severity ? { severity } : {}),
        affected: [
          {
            package: { ecosystem: 'Debian:12', name: pkg },
            ranges: ranges.map((events) => ({ type: 'ECOSYSTEM', events })),
            ecosystem_specific: {
              urgency: pick(['low', 'medium', 'high', 'not yet assigned', 'unimportant']),
            },
          },
        ],
      }),
    );
  }
  return out;
}

/** One host's dpkg-query output, as bytes: the shape it arrives in from the host. */
function hostText(all: SourcePool[], relevant: SourcePool[]): Uint8Array {
  const target = 300 + Math.floor(rand() * 1200);
  const chosen = new Set<SourcePool>();
  let lines = 0;
  while (lines < target) {
    const s = rand() < 0.35 ? pick(relevant) : pick(all);
    if (chosen.has(s)) continue;
    chosen.add(s);
    lines += s.binaries.length;
  }
  const parts: Buffer[] = [];
  for (const s of chosen) {
    const r = rand();
    const i =
      s.lines.length === 1 || r < 0.4
        ? 0
        : r < 0.7
          ? s.lines.length - 1
          : Math.floor(rand() * s.lines.length);
    parts.push(s.lines[i]!);
  }
  return Buffer.concat(parts);
}

/** A generated host as the store hands it to the pipeline: its dpkg-query lines, inflated. */
function storedScan(host: string, bytes: Uint8Array): StoredScan {
  let lines = 0;
  for (let at = bytes.indexOf(10); at >= 0; at = bytes.indexOf(10, at + 1)) lines++;
  return {
    id: 0,
    host,
    startedAt: '',
    finishedAt: '',
    summary: { os: 'debian:12', packageCount: lines, rebootRequired: false, restartList: 0, issueCount: 0 },
    packages: { format: 'dpkg-query', bytes },
    state: { schema: 1, host, os: 'debian:12', scannedAt: '', issues: [] },
  };
}

function loadIntel() {
  const catalog = JSON.parse(
    fs.readFileSync(path.join(DATA, 'kev/known_exploited_vulnerabilities.json'), 'utf8'),
  ) as KevCatalog;
  const kev = new Map(parseKev(catalog).map((e) => [e.cve, e]));
  const eol = parseEolCsv(
    fs.readFileSync(path.join(DATA, 'debian/debian.csv'), 'utf8'),
    'debian.csv',
  ).releases;
  return { kev, eol };
}

const loadNow = () =>
  os
    .loadavg()
    .map((l) => l.toFixed(2))
    .join(' ');
const LOAD = loadNow();

/** Accumulates wall-clock and CPU time (user + system, all threads) over start/stop spans, in ms. */
function clock(running = true) {
  let w0 = 0;
  let c0 = 0;
  const cpuNow = () => {
    const u = process.cpuUsage();
    return (u.user + u.system) / 1000;
  };
  const c = {
    wall: 0,
    cpu: 0,
    // The CPU clock is a system call (tens of microseconds here): read outside the wall-clock span.
    start() {
      c0 = cpuNow();
      w0 = performance.now();
    },
    stop() {
      c.wall += performance.now() - w0;
      c.cpu += cpuNow() - c0;
    },
  };
  if (running) c.start();
  return c;
}

function main(): void {
  const t0 = performance.now();
  const real = loadRealOsv();
  const osvFixed = new Map<string, Set<string>>();
  for (const text of real) {
    for (const r of parseOsvRecord(JSON.parse(text), 'osv').records) {
      for (const ev of r.ranges.flat())
        if ('fixed' in ev)
          (osvFixed.get(r.package) ?? osvFixed.set(r.package, new Set()).get(r.package)!).add(ev.fixed);
    }
  }
  const { all, relevant, bookworm } = loadSources(osvFixed);
  const { kev, eol } = loadIntel();
  const epss = new Map<string, EpssScore>();
  epss.set('CVE-2023-44487', { cve: 'CVE-2023-44487', score: 0.944, percentile: 0.999 });
  const realPairs = 9760;
  let advisoryTexts: string[] = [...real, ...syntheticOsv(Math.max(0, PAIRS - realPairs), bookworm, epss)];
  const recordCount = advisoryTexts.length;
  const tSetup = performance.now() - t0;

  const parseAdv = clock();
  const records: AffectedPackage[] = [];
  for (const text of advisoryTexts)
    for (const r of parseOsvRecord(JSON.parse(text), 'bench').records) records.push(r);
  parseAdv.stop();
  advisoryTexts = [];

  const indexBuild = clock();
  const index = buildAdvisoryIndex(records, ['Debian:12']);
  indexBuild.stop();
  records.length = 0; // the index keeps what it needs
  const heapIndex = process.memoryUsage().heapUsed;

  const intel = { kev, epss, eolReleases: eol };
  const now = new Date('2026-11-25T00:00:00Z');
  const gen = clock(false);
  const parseHosts = clock(false);
  const matching = clock(false);
  let findings = 0;
  let kevFindings = 0;
  let packages = 0;
  const sampleEvery = Math.max(1, Math.floor(HOSTS / SAMPLE));
  const sample: CompactMatch[] = [];
  // The commands' own per-host step: stored lines through the run's reader, compact match, shared decide.
  const pipeline = new HostPipeline(
    index,
    intel,
    now,
    new FleetDecider({ policy: defaultPolicy(), now, intel }),
  );
  const deciding = clock(false);
  let decided = 0;
  let emergencyHosts = 0;
  // Hosts in batches, so the clocks are read once per batch, not per host.
  for (let first = 0; first < HOSTS; first += BATCH) {
    const n = Math.min(BATCH, HOSTS - first);
    gen.start();
    const texts = Array.from({ length: n }, () => hostText(all, relevant));
    gen.stop();
    const stored = texts.map((t, i) => storedScan(`h${first + i}`, t));
    parseHosts.start();
    const states = stored.map((x) => pipeline.read(x));
    parseHosts.stop();
    // Each host is matched, counted and dropped at once, as a fleet-wide summary would.
    matching.start();
    const compacts = states.map((state) => pipeline.match(state));
    for (let i = 0; i < n; i++) {
      const c = compacts[i]!;
      findings += c.findings;
      kevFindings += knownExploitedCount(c, intel);
      packages += states[i]!.packages.length;
      if ((first + i) % sampleEvery === 0 && sample.length < SAMPLE) sample.push(c);
    }
    matching.stop();
    deciding.start();
    for (let i = 0; i < n; i++) {
      const h = pipeline.decide(stored[i]!, states[i]!, compacts[i]!, {
        name: states[i]!.host,
        services: [],
        tags: {},
      });
      decided += h.decided!.findings;
      if (h.decided!.rollup.action === 'emergency') emergencyHosts++;
    }
    deciding.stop();
    if ((first + n) % 1000 === 0) process.stderr.write(`${first + n} hosts\n`);
  }
  const materialize = clock();
  let sampleFindings = 0;
  let sampleCompact = 0;
  for (const c of sample) {
    sampleFindings += materializeFindings(c, intel, now).length;
    sampleCompact += c.findings;
  }
  materialize.stop();
  if (decided !== findings) throw new Error(`decided ${decided} findings, matched ${findings}`);
  if (sampleFindings !== sampleCompact)
    throw new Error(`materialized ${sampleFindings} findings, compact counted ${sampleCompact}`);
  // With node --expose-gc, heap in use after matching is live data only (index + per-version results).
  (globalThis as { gc?: () => void }).gc?.();
  const heapAfter = process.memoryUsage().heapUsed;

  const tParseAdv = parseAdv.wall;
  const tParseHosts = parseHosts.wall;
  const tIndex = indexBuild.wall;
  const tMatch = matching.wall;
  const tGen = gen.wall;
  const parse = tParseAdv + tParseHosts;
  const match = tIndex + tMatch;
  const parseCpu = parseAdv.cpu + parseHosts.cpu;
  const matchCpu = indexBuild.cpu + matching.cpu;
  const rssMiB = process.resourceUsage().maxRSS / 1024;
  const mib = (b: number) => (b / 1048576).toFixed(0);
  const sec = (ms: number) => `${(ms / 1000).toFixed(2)} s`;
  const lines = [
    `seed ${SEED}; ${HOSTS} hosts, ${packages} packages (${Math.round(packages / HOSTS)} per host); ${recordCount} OSV records, ${index.ranges} (package, range) pairs over ${index.ecosystems.get('Debian:12')?.packages.size} packages`,
    `findings: ${findings} (${Math.round(findings / HOSTS)} per host), known-exploited: ${kevFindings}`,
    `parse:  advisories ${sec(tParseAdv)} + hosts ${sec(tParseHosts)} = ${sec(parse)}`,
    `match:  index build ${sec(tIndex)} + matchHostCompact ${sec(tMatch)} = ${sec(match)}`,
    `hosts per second: ${Math.round(HOSTS / (tMatch / 1000))} (matchHostCompact + counting), ${Math.round(HOSTS / ((tParseHosts + tMatch) / 1000))} (parse + match)`,
    `decide (FleetDecider, shared decisions, host rollups; unclassified hosts, default policy): ${sec(deciding.wall)} wall, ${sec(deciding.cpu)} CPU; ${decided} decisions, ${emergencyHosts} hosts with an emergency`,
    `${HOSTS} hosts parsed, matched and decided: ${sec(tParseHosts + tMatch + deciding.wall)}, with the index build ${sec(tParseHosts + tIndex + tMatch + deciding.wall)}`,
    `materializeFindings of ${sample.length} sample hosts: ${sampleFindings} findings in ${sec(materialize.wall)} wall, ${sec(materialize.cpu)} CPU (${((materialize.wall / Math.max(1, sampleFindings)) * 1e6).toFixed(0)} ns per finding; not in the ratio)`,
    `${HOSTS} hosts parsed and matched: ${sec(tParseHosts + tMatch)}, with the index build ${sec(tParseHosts + tIndex + tMatch)}`,
    `${HOSTS} hosts end to end (advisory parse + host parse + index + match): ${sec(parse + match)}`,
    `ratio match / parse: ${(match / parse).toFixed(2)} wall, ${(matchCpu / parseCpu).toFixed(2)} CPU`,
    `CPU time: parse ${sec(parseCpu)}, match ${sec(matchCpu)} (index ${sec(indexBuild.cpu)} + matchHostCompact ${sec(matching.cpu)})`,
    `load average (1, 5, 15 min): at start ${LOAD}, at end ${loadNow()}`,
    `peak RSS: ${rssMiB.toFixed(0)} MiB; heap used after index build ${mib(heapIndex)} MiB, after matching ${mib(heapAfter)} MiB (index + per-version results)`,
    `(setup ${sec(tSetup)}, host generation ${sec(tGen)}, not counted)`,
  ];
  process.stdout.write(lines.join('\n') + '\n');
}

main();
