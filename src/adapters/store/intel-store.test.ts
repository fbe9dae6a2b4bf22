import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { KevEntry } from '../../core/findings/finding.js';
import type { EolRelease } from '../../core/intel/eol.js';
import { loadEol, loadEpss, loadKev, replaceEol, replaceEpss, replaceKev } from './intel-store.js';
import { openStore, type Store } from './open-store.js';
import { RAPID_RESET_KEV } from '../../../test/decide-fixtures.js';

const kev: KevEntry = { ...RAPID_RESET_KEV, requiredAction: 'Apply mitigations' };

describe('intel store (SQLite)', () => {
  let dir: string;
  let store: Store;
  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pw-intel-'));
    store = await openStore(dir);
  });
  afterAll(async () => {
    await store.close();
    fs.rmSync(dir, { recursive: true });
  });

  it('stores and loads KEV entries, all or by CVE', async () => {
    const other = { ...kev, cve: 'CVE-2021-44228', knownRansomwareCampaignUse: 'Known' as const };
    delete other.requiredAction;
    await store.db.transaction().execute((trx) => replaceKev(trx, [kev, other]));
    expect([...(await loadKev(store.db)).keys()].sort()).toEqual(['CVE-2021-44228', 'CVE-2023-44487']);
    const some = await loadKev(store.db, ['CVE-2021-44228', 'CVE-1999-0001']);
    expect([...some.values()]).toEqual([other]);
  });

  it('loads EPSS scores for long CVE lists in chunks', async () => {
    const scores = Array.from({ length: 70_000 }, (_, i) => ({
      cve: `CVE-2020-${100000 + i}`,
      score: i / 1e5,
      percentile: 0.5,
    }));
    await store.db.transaction().execute((trx) => replaceEpss(trx, scores));
    const wanted = [...scores.map((s) => s.cve), 'CVE-1999-0001'];
    const got = await loadEpss(store.db, wanted);
    expect(got.size).toBe(70_000);
    expect(got.get('CVE-2020-100005')).toEqual({ cve: 'CVE-2020-100005', score: 0.00005, percentile: 0.5 });
  });

  it('replaces one distro release table at a time', async () => {
    const deb: EolRelease = {
      distro: 'debian',
      version: '12',
      codename: 'Bookworm',
      series: 'bookworm',
      release: '2023-06-10',
      eol: '2026-07-11',
      eolLts: '2028-06-30',
    };
    const ubu: EolRelease = {
      distro: 'ubuntu',
      version: '22.04',
      codename: 'Jammy Jellyfish',
      series: 'jammy',
      eol: '2027-06-01',
    };
    await store.db.transaction().execute(async (trx) => {
      await replaceEol(trx, 'debian', [deb]);
      await replaceEol(trx, 'ubuntu', [ubu]);
    });
    await store.db.transaction().execute((trx) => replaceEol(trx, 'debian', [deb]));
    expect(await loadEol(store.db)).toEqual([deb, ubu]);
  });
});
