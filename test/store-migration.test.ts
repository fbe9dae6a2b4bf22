import fs from 'node:fs';
import path from 'node:path';
import SQLite from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { DeferralStore } from '../src/adapters/store/deferral-store.js';
import type { FirstSeenTables } from '../src/adapters/store/first-seen-store.js';
import { openStore } from '../src/adapters/store/open-store.js';
import {
  hostScans,
  latestScanSummaries,
  readHostState,
  streamLatestOkScans,
} from '../src/adapters/store/scan-store.js';
import { parseDpkgStatus } from '../src/core/inventory/parse-dpkg-status.js';
import { ROOT, tempDir } from './helpers/cli.js';

const FIXTURES = path.join(ROOT, 'test/fixtures');
const statusPackages = (file: string) =>
  parseDpkgStatus(fs.readFileSync(path.join(FIXTURES, file), 'utf8')).packages;

/** Opens a copy of a store written by main before migration 0003 (see test/fixtures/stores/README.md). */
async function openOldStore() {
  const dir = tempDir('patchwise-migrate-');
  fs.copyFileSync(path.join(FIXTURES, 'stores/store-0002.sqlite'), path.join(dir, 'patchwise.db'));
  return openStore(dir);
}

describe('a store written by main before the compact scans (0002) reads back after migrating', () => {
  it('every scan: same packages, right summaries, failed scans kept; the deferral and first-seen rows stay', async () => {
    const store = await openOldStore();
    try {
      const web = statusPackages('decide/web-status');
      const db = statusPackages('stores/db-status');
      const expected: Record<number, { host: string; packages: typeof web }> = {
        1: { host: 'web-1', packages: web },
        2: { host: 'db-1', packages: db },
        4: { host: 'web-1', packages: db },
        5: { host: 'web-1', packages: web },
      };
      for (const host of ['web-1', 'db-1', 'broken-1']) {
        for (const row of await hostScans(store.db, host, { limit: 10 })) {
          if (row.id === 3) {
            expect(row).toMatchObject({ host: 'broken-1', status: 'failed', stored: null });
            expect(row.error).toMatch(/no installed package/);
            continue;
          }
          const want = expected[row.id]!;
          expect(row.host).toBe(want.host);
          const state = readHostState(row.stored!);
          expect(state.packages).toEqual(want.packages);
          expect(state).toMatchObject({ schema: 1, host: want.host, os: 'debian:12', issues: [] });
          expect(row.stored!.packages.format).toBe('dpkg-query');
          expect(row.stored!.summary).toEqual({
            os: 'debian:12',
            packageCount: want.packages.length,
            rebootRequired: false,
            restartList: 0,
            issueCount: 0,
          });
        }
      }
      const latest = [];
      for await (const s of streamLatestOkScans(store.db, { pageSize: 1 })) latest.push([s.host, s.id]);
      expect(latest).toEqual([
        ['db-1', 2],
        ['web-1', 5],
      ]);
      const summaries = await latestScanSummaries(store.db);
      expect(summaries.map((s) => [s.host, s.last.status, s.lastOk?.packageCount ?? null])).toEqual([
        ['broken-1', 'failed', null],
        ['db-1', 'ok', 12],
        ['web-1', 'ok', 90],
      ]);
      const deferrals = await new DeferralStore(store.db).list();
      expect(deferrals.map((d) => [d.id, d.findings, d.hosts, d.owner])).toEqual([
        ['D-1', ['CVE-2099-0002'], ['web-1'], 'alice'],
      ]);
      // finding_seen's 3 rows, converted by 0004: 2 (package, vulnerability) pairs, 2 hosts.
      const tables = store.db.withTables<FirstSeenTables>();
      expect(await tables.selectFrom('vuln_seen').select(['package', 'vuln_id']).execute()).toHaveLength(2);
      expect(await tables.selectFrom('package_seen').select('host').execute()).toHaveLength(2);
    } finally {
      await store.close();
    }
  });

  it('leaves a row it cannot convert unversioned, so reading it reports that scan', async () => {
    const dir = tempDir('patchwise-migrate-');
    const file = path.join(dir, 'patchwise.db');
    fs.copyFileSync(path.join(FIXTURES, 'stores/store-0002.sqlite'), file);
    const raw = new SQLite(file);
    raw.prepare('update scan set state = \'{"broken": \' where id = 2').run();
    raw.close();
    const store = await openStore(dir);
    try {
      const reported: string[] = [];
      const hosts: string[] = [];
      for await (const s of streamLatestOkScans(store.db, { onInvalid: (e) => reported.push(e.message) }))
        hosts.push(s.host);
      expect(hosts).toEqual(['web-1']);
      expect(reported).toEqual([expect.stringMatching(/scan 2 of "db-1" is unusable: record_version/)]);
    } finally {
      await store.close();
    }
  });
});
