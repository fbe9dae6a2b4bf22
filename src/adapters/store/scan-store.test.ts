import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { readFixture } from '../../../test/helpers/read-fixture.js';
import type { HostState } from '../../core/inventory/host-state.js';
import { parseRpmQuery } from '../../core/inventory/parse-rpm-query.js';
import { openStore, type Store } from './open-store.js';
import {
  hostScans,
  latestScanSummaries,
  readHostState,
  saveScan,
  streamLatestOkScans,
} from './scan-store.js';

const rpm = parseRpmQuery(readFixture('collect', 'rpm-qa-qf.txt')).packages;
const state = (host: string, extra: Partial<HostState> = {}): HostState => ({
  schema: 1,
  host,
  os: 'rocky:9.4',
  scannedAt: '2026-12-01T00:00:00.000Z',
  packages: rpm,
  issues: [],
  ...extra,
});
const at = '2026-12-01T00:00:00.000Z';
const ok = (s: HostState) => ({
  host: s.host,
  startedAt: at,
  finishedAt: at,
  status: 'ok' as const,
  error: null,
  state: s,
});

describe('scan store', () => {
  let dir: string;
  let store: Store;
  beforeEach(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pw-scan-store-'));
    store = await openStore(dir);
  });
  afterEach(async () => {
    await store.close();
    fs.rmSync(dir, { recursive: true });
  });

  it('keeps a scan compactly and gives back the same state', async () => {
    const s = state('r-1', {
      reboot: { required: true, packages: ['kernel'] },
      staleProcesses: [{ pid: 1, command: 'sshd', files: ['/usr/lib/libc.so.6'] }],
      issues: Array.from({ length: 150 }, (_, i) => ({ source: 'rpm', line: i, message: 'bad' })),
    });
    const id = await saveScan(store.db, ok(s));
    const [row] = await hostScans(store.db, 'r-1');
    expect(row!.stored!.summary).toEqual({
      os: 'rocky:9.4',
      packageCount: rpm.length,
      rebootRequired: true,
      restartList: 1,
      issueCount: 150,
    });
    expect(row!.stored!.packages.format).toBe('rpm-query');
    const back = readHostState(row!.stored!);
    expect(back.packages).toEqual(rpm);
    expect(back.issues).toHaveLength(100);
    expect({ ...back, issues: [] }).toEqual({ ...s, issues: [] });
    expect(row!.id).toBe(id);
  });

  it('streams the latest ok scan of each host in name order, page by page', async () => {
    for (const h of ['e', 'a', 'c', 'b', 'd']) await saveScan(store.db, ok(state(h)));
    await saveScan(store.db, ok(state('c', { os: 'rocky:9.5' })));
    await saveScan(store.db, {
      host: 'c',
      startedAt: at,
      finishedAt: at,
      status: 'failed',
      error: 'timeout',
      state: null,
    });
    const seen = [];
    for await (const s of streamLatestOkScans(store.db, { pageSize: 2 }))
      seen.push(`${s.host}:${s.summary.os}`);
    expect(seen).toEqual(['a:rocky:9.4', 'b:rocky:9.4', 'c:rocky:9.5', 'd:rocky:9.4', 'e:rocky:9.4']);
    const some = [];
    for await (const s of streamLatestOkScans(store.db, { hosts: ['d', 'b'] })) some.push(s.host);
    expect(some).toEqual(['b', 'd']);
    const c = (await latestScanSummaries(store.db, ['c']))[0]!;
    expect(c.last).toMatchObject({ status: 'failed', error: 'timeout' });
    expect(c.lastOk).toMatchObject({ os: 'rocky:9.5', packageCount: rpm.length });
  });

  it.each([
    ['record_version', 7, /record_version/],
    ['packages', Buffer.from('not deflate'), /does not inflate/],
    ['state', '{"schema":1}', /its state: host/],
    ['package_count', 3, /holds \d+ packages, the scan recorded 3/],
  ])('reports a row whose %s is wrong, naming the scan', async (column, value, re) => {
    const id = await saveScan(store.db, ok(state('bad')));
    await store.db
      .updateTable('scan')
      .set({ [column]: value })
      .where('id', '=', id)
      .execute();
    const read = async () => {
      for await (const s of streamLatestOkScans(store.db)) readHostState(s);
    };
    await expect(read()).rejects.toMatchObject({
      code: 'store-scan-invalid',
      message: expect.stringMatching(re),
    });
    await expect(read()).rejects.toThrow(new RegExp(`scan ${id} of`));
  });

  it('skips and reports an unusable row when asked, and checks summary columns too', async () => {
    for (const h of ['a', 'b', 'c']) await saveScan(store.db, ok(state(h)));
    await store.db.updateTable('scan').set({ record_version: 7 }).where('host', '=', 'b').execute();
    const reported: string[] = [];
    const seen: string[] = [];
    for await (const s of streamLatestOkScans(store.db, { onInvalid: (e) => reported.push(e.message) }))
      seen.push(s.host);
    expect(seen).toEqual(['a', 'c']);
    expect(reported).toEqual([
      expect.stringMatching(/^The stored scan 2 of "b" is unusable: record_version/),
    ]);
    await expect(latestScanSummaries(store.db)).rejects.toMatchObject({ code: 'store-scan-invalid' });
  });
});
