/**
 * Feed import figures: parse and store times for the shared data files and a synthetic 300k-row EPSS
 * file (the size of FIRST's real daily file). Prints figures; asserts nothing.
 *
 *   npx tsx bench/feeds-import.ts
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { gzipSync } from 'fflate';
import { importFeeds } from '../src/app/feeds.js';
import { openStore } from '../src/adapters/store/open-store.js';

const SHARED = path.resolve(import.meta.dirname, '../../shared/data');
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'pw-bench-feeds-'));

function syntheticEpss(rows: number): string {
  const out = ['#model_version:v2026.06.15,score_date:2026-09-29T12:00:22Z', 'cve,epss,percentile'];
  for (let i = 0; i < rows; i++)
    out.push(`CVE-${1999 + (i % 27)}-${10000 + i},${(i % 1000) / 1000},${(i % 977) / 977}`);
  return out.join('\n') + '\n';
}

const epss = path.join(tmp, 'epss-300k.csv.gz');
fs.writeFileSync(epss, gzipSync(Buffer.from(syntheticEpss(300_000))));

const files: [string, string][] = [
  ['OSV Debian:12 zip (9,760 records)', path.join(SHARED, 'advisories/debian-12-osv.zip')],
  ['Debian tracker JSON (9,760 records)', path.join(SHARED, 'advisories/debian-tracker-bookworm.json')],
  ['KEV (1,404 entries)', path.join(SHARED, 'kev/known_exploited_vulnerabilities.json')],
  ['EPSS synthetic 300k rows, gzipped', epss],
  ['distro-info debian.csv', path.join(SHARED, 'debian/debian.csv')],
];

for (const [label, file] of files) {
  const store = await openStore(fs.mkdtempSync(path.join(tmp, 'db-')));
  const cpu = process.cpuUsage();
  const t = performance.now();
  const r = await importFeeds(store, [file]);
  const wall = (performance.now() - t) / 1000;
  const used = process.cpuUsage(cpu);
  const records = r.sources.reduce((n, s) => n + s.records, 0);
  console.log(
    `${label}: ${records} records, ${wall.toFixed(2)} s wall, ${((used.user + used.system) / 1e6).toFixed(2)} s CPU`,
  );
  await store.close();
}
fs.rmSync(tmp, { recursive: true, force: true });
