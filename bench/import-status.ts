/**
 * Bulk import of air-gapped hosts: `patchwise scan --from-status DIR --os debian:12` (the command's own
 * path, run as a child process) over BENCH_FILES hard-linked copies (default 1,000) of one status file
 * (BENCH_STATUS, default /var/lib/dpkg/status). Prints wall time, hosts per second, peak RSS of the
 * command and the store's size; asserts nothing.
 *
 *   npx tsx bench/import-status.ts
 *   BENCH_FILES=10000 npx tsx bench/import-status.ts
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const files = Number(process.env.BENCH_FILES ?? 1000);
const status = process.env.BENCH_STATUS ?? '/var/lib/dpkg/status';
const root = path.resolve(import.meta.dirname, '..');
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'pw-bench-import-'));
const dir = path.join(tmp, 'status');
const data = path.join(tmp, 'data');
fs.mkdirSync(dir);
const source = path.join(tmp, 'source-status');
fs.copyFileSync(status, source);
for (let i = 0; i < files; i++) fs.linkSync(source, path.join(dir, `host-${String(i).padStart(5, '0')}`));

const packages = (fs.readFileSync(source, 'utf8').match(/^Package:/gm) ?? []).length;
console.log(`${files} status files of ${packages} stanzas (${fs.statSync(source).size} bytes each)`);
console.log(
  `load average at start: ${os
    .loadavg()
    .map((l) => l.toFixed(2))
    .join(' ')}`,
);
const argv = [
  path.join(root, 'bin/patchwise.js'),
  '-d',
  data,
  'scan',
  '--from-status',
  dir,
  '--os',
  'debian:12',
];
const timed = fs.existsSync('/usr/bin/time');
const t = performance.now();
const run = spawnSync(
  timed ? '/usr/bin/time' : process.execPath,
  timed ? ['-v', process.execPath, ...argv] : argv,
  {
    encoding: 'utf8',
    maxBuffer: 1 << 28,
  },
);
const wall = (performance.now() - t) / 1000;
console.log(run.stdout.trim());
const rss = /Maximum resident set size \(kbytes\): (\d+)/.exec(run.stderr)?.[1];
if (rss) console.log(`peak RSS ${(Number(rss) / 1024).toFixed(0)} MiB`);
if (run.status !== 0) console.log(`exit ${run.status}: ${run.stderr.slice(0, 500)}`);
console.log(`wall ${wall.toFixed(2)} s, ${(files / wall).toFixed(0)} hosts/s`);
console.log(`store: ${(fs.statSync(path.join(data, 'patchwise.db')).size / 1e6).toFixed(1)} MB`);
fs.rmSync(tmp, { recursive: true, force: true });
