import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import SQLite from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { FIXTURES, ROOT, runCli, tempDir } from './helpers/cli.js';

const HOSTS = 600;

/** A directory of `HOSTS` status files (hard links to one real file), one host each. */
function statusDir(): string {
  const dir = path.join(tempDir(), 'status');
  fs.mkdirSync(dir);
  const source = path.join(FIXTURES, 'status/debian12-host.status');
  for (let i = 0; i < HOSTS; i++) fs.linkSync(source, path.join(dir, `host-${String(i).padStart(4, '0')}`));
  return dir;
}

/** A migrated, empty store. */
function emptyStore(): string {
  const data = path.join(tempDir(), 'data');
  expect(runCli(['-d', data, 'hosts', 'list']).code).toBe(0);
  return data;
}

function scansIn(data: string): number {
  const db = new SQLite(path.join(data, 'patchwise.db'));
  try {
    return (db.prepare('SELECT count(*) AS n FROM scan').get() as { n: number }).n;
  } finally {
    db.close();
  }
}

/** Runs the directory import and kills it with SIGKILL after `ms`; resolves when it is gone. */
function importKilledAfter(data: string, dir: string, ms: number): Promise<void> {
  const child = spawn(
    process.execPath,
    [path.join(ROOT, 'bin/patchwise.js'), '-d', data, 'scan', '--from-status', dir, '--os', 'debian:12'],
    { stdio: 'ignore', env: { ...process.env, CI: '1' } },
  );
  const timer = setTimeout(() => child.kill('SIGKILL'), ms);
  return new Promise((resolve) =>
    child.on('exit', () => {
      clearTimeout(timer);
      resolve();
    }),
  );
}

describe('kill -9 during scan --from-status DIR', () => {
  it('leaves the store as before (no host) or as after (every host), never part of the directory', async () => {
    const dir = statusDir();
    const full = emptyStore();
    const t0 = performance.now();
    const done = runCli(['-d', full, 'scan', '--from-status', dir, '--os', 'debian:12']);
    const ms = performance.now() - t0;
    expect(done.code, done.stderr).toBe(0);
    expect(scansIn(full)).toBe(HOSTS);

    const seen: number[] = [];
    for (const at of [0.4, 0.55, 0.7, 0.85]) {
      const data = emptyStore();
      await importKilledAfter(data, dir, Math.round(ms * at));
      seen.push(scansIn(data));
    }
    for (const n of seen) expect([0, HOSTS]).toContain(n);
    // At least one kill landed while the import ran (otherwise this test proves nothing).
    expect(seen).toContain(0);
  }, 120_000);
});
