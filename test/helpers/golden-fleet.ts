import fs from 'node:fs';
import path from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import zlib from 'node:zlib';
import { openStore, type Store } from '../../src/adapters/store/open-store.js';
import { loadFleetDecisions, type FleetDecisions, type HostPlan } from '../../src/app/decide.js';
import { addDeferral } from '../../src/app/defer.js';
import { importFeeds } from '../../src/app/feeds.js';
import { computeFindings } from '../../src/app/findings.js';
import type { InventoryInputs } from '../../src/app/inventory.js';
import { scanFromStatus } from '../../src/app/scan.js';
import type { Finding } from '../../src/core/findings/finding.js';
import { actionRank, type Action } from '../../src/core/policy/actions.js';
import type { Decision } from '../../src/core/policy/decide-finding.js';
import { ROOT } from './cli.js';

/** The golden fleet's now: the later scans, the deferrals and the recorded decisions use it. */
export const GOLDEN_NOW = new Date('2026-12-01T09:00:00Z');

export const GOLDEN_DIR = path.join(ROOT, 'test/fixtures/golden');
export const GOLDEN_CONFIG = path.join(GOLDEN_DIR, 'patchwise.yaml');
export const GOLDEN_EXPECTED = path.join(GOLDEN_DIR, 'expected.json.gz');

const STATUS = path.join(ROOT, 'test/fixtures/status');
const WEB_STATUS = path.join(ROOT, 'test/fixtures/decide/web-status');
const DEBIAN12_HOST = path.join(STATUS, 'debian12-host.status');

/** When the early scans were taken and their findings first seen: their deadlines count from here. */
export const GOLDEN_EARLIER = new Date('2026-10-15T09:00:00Z');

/**
 * Which status file each host is scanned from, and when. Hosts share files on purpose (same packages,
 * different classification); stray-1 is scanned but missing from patchwise.yaml, so it is decided as
 * unclassified. web-2 and old-1 are first scanned (and decided) at {@link GOLDEN_EARLIER}, so their
 * deadlines count from then; web-2 is scanned again at {@link GOLDEN_NOW}, old-1 is not.
 */
export const GOLDEN_SCANS: readonly { name: string; file: string; at: readonly Date[] }[] = [
  { name: 'web-1', file: WEB_STATUS, at: [GOLDEN_NOW] },
  { name: 'web-2', file: path.join(STATUS, 'edited-bookworm.status'), at: [GOLDEN_EARLIER, GOLDEN_NOW] },
  { name: 'db-1', file: DEBIAN12_HOST, at: [GOLDEN_NOW] },
  { name: 'dev-1', file: DEBIAN12_HOST, at: [GOLDEN_NOW] },
  { name: 'ci-1', file: path.join(STATUS, 'minbase-bookworm.status'), at: [GOLDEN_NOW] },
  { name: 'old-1', file: WEB_STATUS, at: [GOLDEN_EARLIER] },
  { name: 'stray-1', file: WEB_STATUS, at: [GOLDEN_NOW] },
];

/** One deferral by host and CVE, one by selector and package name. */
const GOLDEN_DEFERRALS = [
  {
    findings: ['CVE-2023-44487'],
    hosts: ['web-1'],
    reason: 'HTTP/2 is off on web-1 until the nginx update is rolled out',
    control: 'http2 disabled in nginx.conf',
    owner: 'alice',
    review: '2026-12-03',
    until: '2026-12-03',
  },
  {
    findings: ['perl'],
    hosts: [],
    selector: 'tier:2',
    reason: 'perl updates wait for the reporting jobs to be retested',
    control: 'no untrusted input reaches perl scripts',
    owner: 'dba-team',
    review: '2026-12-15',
    until: '2026-12-20',
  },
];

/** The golden fleet's store, and what the app functions need to read it. */
export interface GoldenFleet {
  store: Store;
  inputs: {
    configPath: string;
    configExplicit: boolean;
    cwd: string;
    env: NodeJS.ProcessEnv;
    openStore: () => Promise<Store>;
  };
}

/**
 * Builds the golden fleet in `dataDir` through the app layer, as if run at two instants: at
 * {@link GOLDEN_EARLIER} it imports feeds/snapshot, takes the early scans and decides (which records
 * when their findings were first seen); at {@link GOLDEN_NOW} it takes the other scans and records the
 * two deferrals.
 */
export async function buildGoldenFleet(dataDir: string): Promise<GoldenFleet> {
  const store = await openStore(dataDir);
  const inputs = {
    configPath: GOLDEN_CONFIG,
    configExplicit: true,
    cwd: GOLDEN_DIR,
    env: { PATCHWISE_ACTOR: 'golden-fleet' },
    openStore: async () => store,
  };
  await importFeeds(store, [path.join(ROOT, 'feeds/snapshot')], { now: () => GOLDEN_EARLIER });
  await scanAt(store, GOLDEN_EARLIER);
  await loadFleetDecisions(inputs, { now: GOLDEN_EARLIER });
  await scanAt(store, GOLDEN_NOW);
  for (const d of GOLDEN_DEFERRALS) await addDeferral(inputs, d, GOLDEN_NOW);
  return { store, inputs };
}

/** Takes the scans of {@link GOLDEN_SCANS} due at `now`. */
async function scanAt(store: Store, now: Date): Promise<void> {
  for (const s of GOLDEN_SCANS) {
    if (!s.at.includes(now)) continue;
    const r = await scanFromStatus(store, { file: s.file, os: 'debian:12', name: s.name, now });
    if (r.status !== 'ok') throw new Error(`scanning ${s.name} from ${s.file}: ${r.status} ${r.reason}`);
  }
}

/** Today's results for the golden fleet: ranked findings, and the fleet's decisions with notes. */
export interface FleetResults {
  findings: readonly Finding[];
  fleet: FleetDecisions & { notes: string[] };
}

/** Computes the fleet's results with today's app functions (computeFindings, loadFleetDecisions). */
export async function goldenResults(
  fleet: { inputs: InventoryInputs },
  now: Date = GOLDEN_NOW,
): Promise<FleetResults> {
  const report = await computeFindings(fleet.inputs, { now });
  const decided = await loadFleetDecisions(fleet.inputs, { now });
  return { findings: report.findings, fleet: decided };
}

/** How many leading entries of the ranked findings and of the fleet's decisions are kept in order. */
export const RANKED_KEPT = 50;

const key = (x: { host: string; vulnId: string; package: string }) => `${x.host}|${x.vulnId}|${x.package}`;

/**
 * A plain, deterministic record of a fleet's results: every finding and decision (sorted by host,
 * vulnId, package), every host rollup (in the order given), the notes, and the first {@link RANKED_KEPT}
 * ranked findings and decisions as `host|vulnId|package` keys. Absent optional fields become null, so the
 * record survives a JSON round trip unchanged. Feed it any pipeline's output to compare with the fixture.
 */
export function normalizeResults(r: FleetResults) {
  return {
    now: r.fleet.now,
    timeZone: r.fleet.timeZone,
    counts: {
      hosts: r.fleet.hosts.length,
      findings: r.findings.length,
      decisions: r.fleet.decisions.length,
    },
    notes: [...r.fleet.notes],
    rankedFindings: r.findings.slice(0, RANKED_KEPT).map(key),
    rankedDecisions: r.fleet.decisions.slice(0, RANKED_KEPT).map(key),
    hosts: r.fleet.hosts.map(normalizeHost),
    findings: sortByKey(r.findings.map(normalizeFinding)),
    decisions: sortByKey(r.fleet.decisions.map(normalizeDecision)),
  };
}
export type GoldenRecord = ReturnType<typeof normalizeResults>;

function sortByKey<T extends { host: string; vulnId: string; package: string }>(xs: T[]): T[] {
  const keyed = xs.map((x) => ({ k: `${key(x)}\u0000${JSON.stringify(x)}`, x }));
  keyed.sort((a, b) => (a.k < b.k ? -1 : a.k > b.k ? 1 : 0));
  return keyed.map((e) => e.x);
}

function normalizeFinding(f: Finding) {
  return {
    host: f.host,
    os: f.os,
    package: f.package,
    binaries: [...f.binaries],
    installedVersion: f.installedVersion,
    fixedVersion: f.fixedVersion,
    vulnId: f.vulnId,
    cves: [...f.cves],
    aliases: [...f.aliases],
    kev: f.kev?.cve ?? null,
    epss: f.epss?.score ?? null,
    cvss: f.cvss ? { version: f.cvss.version, score: f.cvss.score, vector: f.cvss.vector } : null,
    urgency: f.urgency ?? null,
    osEol: f.osEol ?? null,
    sources: [...f.sources],
  };
}

function normalizeDecision(d: Decision) {
  return {
    host: d.host,
    os: d.os,
    vulnId: d.vulnId,
    cves: [...d.cves],
    package: d.package,
    binaries: [...d.binaries],
    installedVersion: d.installedVersion,
    fixedVersion: d.fixedVersion,
    action: d.action,
    state: d.state,
    dueAt: d.dueAt,
    dueLocal: d.dueLocal,
    dueRule: d.dueRule,
    rollback: [...d.rollback],
    controls: [...d.controls],
    needsReboot: d.needsReboot,
    packageClasses: [...d.packageClasses],
    kev: d.kev,
    epss: d.epss ?? null,
    severity: d.severity,
    assumed: [...d.assumed],
    // A getter today: read it explicitly so it is captured however a pipeline provides it.
    reasons: [...d.reasons],
    deferral: d.deferral
      ? {
          id: d.deferral.id,
          state: d.deferral.state,
          endsAt: d.deferral.endsAt ?? null,
          endedBecause: d.deferral.endedBecause ?? null,
        }
      : null,
  };
}

function normalizeHost(h: HostPlan) {
  const counts = Object.entries(h.counts) as [Action, number][];
  counts.sort((a, b) => actionRank(a[0]) - actionRank(b[0]));
  return {
    host: h.host,
    tier: h.tier ?? null,
    exposure: h.exposure ?? null,
    owner: h.owner ?? null,
    assumed: [...h.assumed],
    action: h.action,
    dueAt: h.dueAt,
    dueLocal: h.dueLocal,
    state: h.state,
    counts: Object.fromEntries(counts),
    findings: h.findings,
    deferred: h.deferred,
    overdue: h.overdue,
    awaitingFix: h.awaitingFix,
    packages: h.packages.map((p) => ({
      package: p.package,
      binaries: [...p.binaries],
      from: p.from,
      to: p.to,
      action: p.action,
      dueAt: p.dueAt,
      vulnIds: [...p.vulnIds],
      needsReboot: p.needsReboot,
    })),
    rebootExpected: h.rebootExpected,
    rebootPackages: [...h.rebootPackages],
    restartServices: [...h.restartServices],
    rollback: [...h.rollback],
    controls: [...h.controls],
  };
}

/** Writes the record as gzipped JSON (one line per top-level array entry keeps `zcat | diff` usable). */
export function writeGolden(file: string, record: GoldenRecord): void {
  const lines = Object.entries(record).map(([k, v]) =>
    Array.isArray(v)
      ? `${JSON.stringify(k)}: [\n${v.map((x) => '  ' + JSON.stringify(x)).join(',\n')}\n]`
      : `${JSON.stringify(k)}: ${JSON.stringify(v)}`,
  );
  const json = `{\n${lines.join(',\n')}\n}\n`;
  fs.writeFileSync(file, zlib.gzipSync(Buffer.from(json), { level: 9 }));
}

/** Reads a record written by {@link writeGolden}. */
export function readGolden(file: string): GoldenRecord {
  return JSON.parse(zlib.gunzipSync(fs.readFileSync(file)).toString('utf8')) as GoldenRecord;
}

/**
 * Readable differences between two records: one line per top-level list that differs (how many entries
 * differ, are missing or unexpected), then the first `limit` differences, one line each. Lists of findings,
 * decisions, hosts and packages are matched by identity (`host|vulnId|package`, `host`, `package`), so one
 * missing entry is reported once, not as a shift of everything after it.
 */
export function diffRecords(expected: unknown, actual: unknown, limit = 20): string[] {
  const out: string[] = [];
  diffValue(expected, actual, '', out, limit);
  return out.length && isObject(expected) && isObject(actual)
    ? [...sectionSummary(expected, actual), ...out]
    : out;
}

function sectionSummary(e: Record<string, unknown>, a: Record<string, unknown>): string[] {
  const lines: string[] = [];
  for (const [k, ev] of Object.entries(e)) {
    const av = a[k];
    if (!Array.isArray(ev) || !Array.isArray(av) || isDeepStrictEqual(ev, av)) continue;
    const byKey = new Map(av.map((x) => [identity(x), x]));
    const keys = new Set(ev.map(identity));
    const changed = ev.filter((x) => byKey.has(identity(x)) && !isDeepStrictEqual(x, byKey.get(identity(x))));
    const missing = ev.filter((x) => !byKey.has(identity(x))).length;
    const extra = av.filter((x) => !keys.has(identity(x))).length;
    lines.push(
      `${k}: ${changed.length} of ${ev.length} entries differ, ${missing} missing, ${extra} unexpected`,
    );
  }
  return lines;
}

function diffValue(e: unknown, a: unknown, at: string, out: string[], limit: number): void {
  if (out.length >= limit) return;
  if (Array.isArray(e) && Array.isArray(a)) return diffArray(e, a, at, out, limit);
  if (isObject(e) && isObject(a)) {
    for (const k of new Set([...Object.keys(e), ...Object.keys(a)])) {
      if (!(k in a)) out.push(`${at}.${k}: missing (expected ${excerpt(e[k])})`);
      else if (!(k in e)) out.push(`${at}.${k}: unexpected ${excerpt(a[k])}`);
      else diffValue(e[k], a[k], `${at}.${k}`, out, limit);
      if (out.length >= limit) return;
    }
    return;
  }
  if (!Object.is(e, a)) out.push(`${at}: expected ${excerpt(e)}, got ${excerpt(a)}`);
}

function diffArray(e: unknown[], a: unknown[], at: string, out: string[], limit: number): void {
  const ek = e.map(identity);
  const ak = a.map(identity);
  if (ek.some((k) => k === undefined) || ak.some((k) => k === undefined)) {
    if (e.length !== a.length) out.push(`${at}: expected ${e.length} entries, got ${a.length}`);
    for (let i = 0; i < Math.min(e.length, a.length); i++) diffValue(e[i], a[i], `${at}[${i}]`, out, limit);
    return;
  }
  const byKey = new Map(a.map((x, i) => [ak[i]!, x]));
  const expectedKeys = new Set(ek);
  const missing = ek.filter((k) => !byKey.has(k!));
  const extra = ak.filter((k) => !expectedKeys.has(k!));
  if (missing.length) out.push(`${at}: ${missing.length} missing, e.g. ${missing.slice(0, 5).join(', ')}`);
  if (extra.length) out.push(`${at}: ${extra.length} unexpected, e.g. ${extra.slice(0, 5).join(', ')}`);
  const common = (ks: (string | undefined)[], other: Set<string | undefined>) =>
    ks.filter((k) => other.has(k));
  const eo = common(ek, new Set(ak));
  const ao = common(ak, expectedKeys);
  const firstMoved = eo.findIndex((k, i) => k !== ao[i]);
  if (firstMoved >= 0)
    out.push(`${at}: order differs first at ${eo[firstMoved]} (got ${ao[firstMoved]} there)`);
  e.forEach((x, i) => {
    const other = byKey.get(ek[i]!);
    if (other !== undefined) diffValue(x, other, `${at}[${ek[i]}]`, out, limit);
  });
}

function identity(x: unknown): string | undefined {
  if (!isObject(x)) return undefined;
  if (typeof x.host === 'string' && typeof x.vulnId === 'string' && typeof x.package === 'string')
    return key(x as { host: string; vulnId: string; package: string });
  if (typeof x.host === 'string') return x.host;
  if (typeof x.package === 'string') return x.package;
  return undefined;
}

const isObject = (x: unknown): x is Record<string, unknown> =>
  typeof x === 'object' && x !== null && !Array.isArray(x);

function excerpt(v: unknown): string {
  const s = JSON.stringify(v) ?? String(v);
  return s.length > 160 ? `${s.slice(0, 157)}...` : s;
}
