import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chunks, insertValues, insertViaJson } from './chunked.js';
import { openStore, type Store } from './open-store.js';

describe('chunks', () => {
  it.each([
    [[1, 2, 3, 4, 5], 2, [[1, 2], [3, 4], [5]]],
    [[], 3, []],
  ])('%j by %i', (items, size, expected) => {
    expect(chunks(items, size)).toEqual(expected);
  });
});

describe('bulk inserts on SQLite', () => {
  let dir: string;
  let store: Store;
  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pw-bulk-'));
    store = await openStore(dir);
  });
  afterAll(async () => {
    await store.close();
    fs.rmSync(dir, { recursive: true });
  });

  const rows = [
    {
      distro: 'debian',
      version: '12',
      codename: 'Bookworm "x" \u00e9',
      series: 'bookworm',
      created: null,
      release: '2023-06-10',
      eol: null,
      eol_lts: null,
      eol_elts: null,
    },
    {
      distro: 'debian',
      version: '',
      codename: "O'Sid",
      series: 'sid',
      created: '1993-08-16',
      release: null,
      eol: null,
      eol_lts: null,
      eol_elts: null,
    },
  ];

  it.each([
    ['JSON path', insertViaJson],
    ['VALUES path', insertValues],
  ])('the %s stores text, nulls and reals exactly', async (_n, insert) => {
    await store.db.transaction().execute(async (trx) => {
      await trx.deleteFrom('eol').execute();
      await trx.deleteFrom('epss').execute();
      await insert(trx, 'eol', rows);
      await insert(trx, 'epss', [{ cve: 'CVE-2024-1', score: 0.00043, percentile: 1 }]);
    });
    expect(await store.db.selectFrom('eol').selectAll().orderBy('series').execute()).toEqual(rows);
    expect(await store.db.selectFrom('epss').selectAll().execute()).toEqual([
      { cve: 'CVE-2024-1', score: 0.00043, percentile: 1 },
    ]);
  });
});
