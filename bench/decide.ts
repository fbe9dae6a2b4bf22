/**
 * Decision benchmark (not a test: it prints figures and asserts nothing about time).
 *
 * BENCH_HOSTS hosts (default 10,000) with findings shaped like the matching benchmark's output: source
 * packages from the real bookworm source list (../shared/data/debian), 5-80 findings per host (mean about
 * 40), KEV entries from the real CISA catalog on about 3% of findings, EPSS on most, CVSS and Debian
 * urgencies, 5% without a fix; hosts of every tier, exposure and environment, 5% unclassified; 200
 * deferrals by host and by selector. Fixed seed (BENCH_SEED) so runs compare.
 *
 * Decides the fleet with decideFleet (every finding, then every host's rollup) and prints wall and CPU
 * time (user + system, from process.cpuUsage), decisions per second, peak RSS and the load average before
 * and after: the machine may be shared, and wall time then says little on its own.
 *
 * Run: npm run bench:decide   (or BENCH_HOSTS=1000 npm run bench:decide)
 * BENCH_KEEP=rollups decides the same fleet keeping only the host rollups (decideFleet's
 * `keepDecisions: false`, what `patchwise plan` without --host/--json uses).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { decideFleet } from '../src/app/decide.js';
import type { Finding, KevEntry } from '../src/core/findings/finding.js';
import { EXPOSURES, type Host } from '../src/core/inventory/host.js';
import { ACTIONS } from '../src/core/policy/actions.js';
import type { Deferral } from '../src/core/policy/deferral.js';
import { defaultPolicy } from '../src/core/policy/policy-schema.js';
import { prng } from './prng.js';

const DATA = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../shared/data');
const HOSTS = Number(process.env.BENCH_HOSTS ?? 10_000);
const SEED = Number(process.env.BENCH_SEED ?? 20261127);
const KEEP = process.env.BENCH_KEEP !== 'rollups';

/** mulberry32: a small, fast, seeded PRNG. */
const rand = prng(SEED);
const pick = <T>(a: readonly T[]): T => a[Math.floor(rand() * a.length)]!;
const maybe = <T>(p: number, v: () => T): T | undefined => (rand() < p ? v() : undefined);

/** A source package with its version and binary names, built once: the matcher shares these strings too. */
interface Source {
  name: string;
  version: string;
  fixed: string;
  binaries: readonly string[];
}

function loadSources(): Source[] {
  const text = fs.readFileSync(path.join(DATA, 'debian/bookworm_main_source_versions.tsv'), 'utf8');
  return text
    .split('\n')
    .slice(1)
    .map((l) => l.split('\t'))
    .filter((c) => c[0] && c[1])
    .map(([name, version]) => ({
      name: name!,
      version: version!,
      fixed: flat(`${version}+deb12u1`),
      binaries: [name!, flat(`lib${name}`)],
    }));
}

/** A flat copy of a string built by concatenation, as strings read from a host or a feed are. */
const flat = (s: string): string => s.split('').join('');

function loadKev(): KevEntry[] {
  const raw = JSON.parse(
    fs.readFileSync(path.join(DATA, 'kev/known_exploited_vulnerabilities.json'), 'utf8'),
  ) as {
    vulnerabilities: Record<string, string>[];
  };
  return raw.vulnerabilities.map((v) => ({
    cve: v.cveID!,
    vendor: v.vendorProject!,
    product: v.product!,
    name: v.vulnerabilityName!,
    dateAdded: v.dateAdded!,
    dueDate: v.dueDate!,
    knownRansomwareCampaignUse: v.knownRansomwareCampaignUse === 'Known' ? 'Known' : 'Unknown',
  }));
}

function makeHost(i: number): Host {
  const unclassified = rand() < 0.05;
  const tier = pick([1, 1, 2, 2, 3, 4] as const);
  return {
    name: `vm-${String(i).padStart(5, '0')}`,
    ...(unclassified ? {} : { tier, exposure: pick(EXPOSURES), owner: pick(['alice', 'bob', 'web-team']) }),
    environment: pick(['production', 'staging', 'development']),
    services: [{ name: 'nginx', unit: 'nginx.service' }, { name: 'ssh' }, { name: 'postgresql' }],
    tags: { role: pick(['web', 'db', 'worker', 'build']) },
  };
}

function makeFinding(host: string, src: Source, kev: KevEntry[], n: number): Finding {
  const k = maybe(0.03, () => pick(kev));
  const cve = k?.cve ?? flat(`CVE-${2020 + (n % 7)}-${10000 + Math.floor(rand() * 90000)}`);
  return {
    host,
    os: 'debian:12',
    package: src.name,
    binaries: [...src.binaries],
    installedVersion: src.version,
    fixedVersion: rand() < 0.05 ? null : src.fixed,
    vulnId: flat(`DEBIAN-${cve}`),
    aliases: [cve],
    cves: [cve],
    ...(rand() < 0.7 ? { cvss: { version: '3.1', vector: '', score: Math.round(rand() * 100) / 10 } } : {}),
    ...(rand() < 0.6 ? { urgency: pick(['low', 'medium', 'high', 'unimportant', 'not yet assigned']) } : {}),
    ...(k ? { kev: k } : {}),
    ...(rand() < 0.8 ? { epss: { cve, score: rand() ** 4, percentile: rand() } } : {}),
    sources: ['osv:Debian:12'],
  };
}

function makeDeferrals(hosts: Host[], findings: Finding[]): Deferral[] {
  const now = Date.now();
  return Array.from({ length: 200 }, (_, i) => {
    const f = pick(findings);
    return {
      id: `D-${i + 1}`,
      findings: [f.cves[0]!],
      hosts: i % 4 === 0 ? [] : [pick(hosts).name, f.host],
      ...(i % 4 === 0 ? { selector: `tag:role=${pick(['web', 'db'])}` } : {}),
      reason: 'bench',
      control: 'firewall',
      owner: 'alice',
      review: new Date(now + (rand() * 20 - 5) * 86_400_000).toISOString(),
      until: pick(['fix-available', 'staging-passed', new Date(now + 9 * 86_400_000).toISOString()]),
      createdAt: new Date(now - 86_400_000).toISOString(),
      ...(rand() < 0.5 ? { approver: 'ciso' } : {}),
    };
  });
}

const sources = loadSources();
const kev = loadKev();
const hosts = Array.from({ length: HOSTS }, (_, i) => makeHost(i));
const findings: Finding[] = [];
for (const h of hosts) {
  const count = 5 + Math.floor(rand() * 76);
  for (let j = 0; j < count; j++) findings.push(makeFinding(h.name, pick(sources), kev, j));
}
const deferrals = makeDeferrals(hosts, findings);
const policy = defaultPolicy();

const load = () =>
  os
    .loadavg()
    .map((l) => l.toFixed(2))
    .join(' ');
const loadBefore = load();
const rssBefore = process.memoryUsage().rss;
const faults0 = process.resourceUsage().minorPageFault;
const cpu0 = process.cpuUsage();
const t0 = performance.now();
const fleet = decideFleet(
  { hosts, findings, policy, now: new Date(), timeZone: 'Europe/Berlin', deferrals },
  { keepDecisions: KEEP },
);
const ms = performance.now() - t0;
const cpu = process.cpuUsage(cpu0);
const faults = process.resourceUsage().minorPageFault - faults0;
const peakRss = process.resourceUsage().maxRSS * 1024;

// With every decision kept, count them all (deferred ones too) as before; with rollups only, the open ones.
const counts: Record<string, number> = {};
let deferred = 0;
for (const h of fleet.hosts) deferred += h.deferred;
if (KEEP) for (const d of fleet.decisions) counts[d.action] = (counts[d.action] ?? 0) + 1;
else
  for (const h of fleet.hosts)
    for (const [a, n] of Object.entries(h.counts)) counts[a] = (counts[a] ?? 0) + n;
const mb = (b: number) => `${(b / 1024 / 1024).toFixed(0)} MB`;
const s = (us: number) => `${(us / 1e6).toFixed(2)} s`;
console.log(`hosts              ${HOSTS}`);
console.log(`findings           ${findings.length}`);
console.log(
  `kept               ${KEEP ? `every decision (${fleet.decisions.length})` : 'host rollups only'}`,
);
console.log(`deferrals          ${deferrals.length} (${deferred} findings deferred)`);
console.log(
  `${KEEP ? 'actions     ' : 'open actions'}       ${JSON.stringify(Object.fromEntries(ACTIONS.map((a) => [a, counts[a] ?? 0])))}`,
);
console.log(`decide + rollup    ${(ms / 1000).toFixed(2)} s wall`);
console.log(`CPU                ${s(cpu.user + cpu.system)} (user ${s(cpu.user)}, system ${s(cpu.system)})`);
console.log(`decisions/s        ${Math.round(findings.length / (ms / 1000))} (wall)`);
console.log(`RSS before decide  ${mb(rssBefore)}`);
console.log(`peak RSS           ${mb(peakRss)}`);
console.log(`minor page faults  ${faults} during decide`);
console.log(
  `load average       ${loadBefore} before, ${load()} after (1, 5, 15 min; ${os.cpus().length} CPUs)`,
);
