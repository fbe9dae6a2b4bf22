import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { beforeAll, describe, expect, it } from 'vitest';
import { ROOT, runCli, SNAPSHOT, tempDir } from './helpers/cli.js';

/** What the store holds, from the rows themselves (not only the `feed` table that describes them). */
function contents(dataDir: string): string {
  const db = new Database(path.join(dataDir, 'patchwise.db'), { readonly: true });
  try {
    expect(db.pragma('integrity_check', { simple: true })).toBe('ok');
    const q = (sql: string) => JSON.stringify(db.prepare(sql).all());
    return [
      q('select source, records from feed order by source'),
      q('select source, count(*) n from advisory_affected group by source order by source'),
      q('select count(*) n from kev'),
      q('select count(*) n from epss'),
      q('select count(*) n from eol'),
    ].join('\n');
  } finally {
    db.close();
  }
}

/**
 * Starts `feeds import feeds/snapshot` and kills it with SIGKILL after `ms`, or, with `ms` undefined, as
 * soon as its write-ahead log grows (the one transaction is writing); resolves how it ended.
 */
function importKilledAfter(dataDir: string, ms?: number): Promise<string> {
  return new Promise((resolve) => {
    const child = spawn(
      process.execPath,
      [path.join(ROOT, 'bin/patchwise.js'), '-d', dataDir, 'feeds', 'import', SNAPSHOT],
      {
        env: { ...process.env, CI: '1' },
        stdio: 'ignore',
      },
    );
    const wal = path.join(dataDir, 'patchwise.db-wal');
    const walSize = () => (fs.existsSync(wal) ? fs.statSync(wal).size : 0);
    const start = walSize();
    const timer =
      ms === undefined
        ? setInterval(() => walSize() > start && child.kill('SIGKILL'), 2)
        : setTimeout(() => child.kill('SIGKILL'), ms);
    child.on('exit', (code, signal) => {
      clearInterval(timer);
      clearTimeout(timer);
      resolve(signal ?? `exit ${code}`);
    });
  });
}

/** kill -9 during `feeds import`: the store is as before or as after, never between (issue 11). */
describe('patchwise feeds import killed with SIGKILL', () => {
  const seed = tempDir();
  let before: string;
  let after: string;
  let fullMs: number;
  beforeAll(() => {
    // Before: three OSV records and the KEV catalog; after: the whole snapshot (every table changes).
    const osv = tempDir();
    const rec = (id: string) => ({
      id,
      affected: [{ package: { ecosystem: 'Debian:12', name: 'x' }, versions: ['1.0-1'] }],
    });
    for (const id of ['DEBIAN-CVE-2099-0001', 'DEBIAN-CVE-2099-0002', 'DEBIAN-CVE-2099-0003'])
      fs.writeFileSync(path.join(osv, `${id}.json`), JSON.stringify(rec(id)));
    const kev = path.join(SNAPSHOT, 'known_exploited_vulnerabilities.json');
    expect(runCli(['-d', seed, 'feeds', 'import', osv, kev]).code).toBe(0);
    before = contents(seed);
    const full = tempDir();
    fs.cpSync(seed, full, { recursive: true });
    const t0 = Date.now();
    expect(runCli(['-d', full, 'feeds', 'import', SNAPSHOT]).code).toBe(0);
    fullMs = Date.now() - t0;
    after = contents(full);
    expect(after).not.toBe(before);
  });

  it('leaves the store as before or as after, whenever the kill lands', async () => {
    const outcomes: string[] = [];
    // Spread over the run, densest near its end where the one transaction writes.
    for (const f of [0.2, 0.5, 0.7, 0.8, 0.85, 0.9, 0.95, 1.0, 1.1]) {
      const dataDir = tempDir();
      fs.cpSync(seed, dataDir, { recursive: true });
      const ended = await importKilledAfter(dataDir, Math.round(fullMs * f));
      const now = contents(dataDir);
      expect([before, after], `killed at ${f} of the run (${ended})`).toContain(now);
      outcomes.push(`${ended}:${now === before ? 'before' : 'after'}`);
    }
    // The early kills did land while the import ran.
    expect(outcomes[0]).toBe('SIGKILL:before');
  });

  it('leaves the store as before or as after when killed while the transaction writes', async () => {
    const dataDir = tempDir();
    fs.cpSync(seed, dataDir, { recursive: true });
    expect(await importKilledAfter(dataDir)).toBe('SIGKILL');
    // In practice "before" (the kill lands mid-transaction); "after" only if it landed during the commit.
    expect([before, after]).toContain(contents(dataDir));
  });
});
