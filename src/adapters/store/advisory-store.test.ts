import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AffectedPackage } from '../../core/advisories/advisory.js';
import { loadAffected, replaceAffected } from './advisory-store.js';
import { openStore, type Store } from './open-store.js';

const rec = (
  vulnId: string,
  ecosystem: string,
  pkg: string,
  extra: Partial<AffectedPackage> = {},
): AffectedPackage => ({
  source: `osv:${ecosystem}`,
  vulnId,
  aliases: [vulnId.replace(/^DEBIAN-/, '')],
  ecosystem,
  package: pkg,
  ranges: [[{ introduced: '0' }, { fixed: '1.2-3' }]],
  versions: [],
  severity: [],
  ...extra,
});

describe('advisory store (SQLite)', () => {
  let dir: string;
  let store: Store;
  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pw-adv-'));
    store = await openStore(dir);
  });
  afterAll(async () => {
    await store.close();
    fs.rmSync(dir, { recursive: true });
  });

  it('round-trips records with their JSON columns and optional fields', async () => {
    const full = rec('DEBIAN-CVE-2023-44487', 'Debian:12', 'nginx', {
      versions: ['1.0-1'],
      severity: [{ type: 'CVSS_V3', score: 'CVSS:3.1/AV:N' }],
      urgency: 'high',
      summary: 's',
      published: 'p',
      modified: 'm',
    });
    await store.db
      .transaction()
      .execute((trx) =>
        replaceAffected(trx, 'osv:Debian:12', [full, rec('DEBIAN-CVE-1', 'Debian:12', 'zlib')]),
      );
    expect(await loadAffected(store.db)).toEqual([full, rec('DEBIAN-CVE-1', 'Debian:12', 'zlib')]);
  });

  it('replaces only the rows of the named source and filters by ecosystem', async () => {
    await store.db
      .transaction()
      .execute((trx) =>
        replaceAffected(trx, 'osv:Ubuntu:22.04:LTS', [rec('UBUNTU-CVE-1', 'Ubuntu:22.04:LTS', 'curl')]),
      );
    await store.db
      .transaction()
      .execute((trx) => replaceAffected(trx, 'osv:Debian:12', [rec('DEBIAN-CVE-2', 'Debian:12', 'bash')]));
    expect((await loadAffected(store.db)).map((r) => r.vulnId).sort()).toEqual([
      'DEBIAN-CVE-2',
      'UBUNTU-CVE-1',
    ]);
    expect((await loadAffected(store.db, ['Debian:12'])).map((r) => r.vulnId)).toEqual(['DEBIAN-CVE-2']);
    expect(await loadAffected(store.db, [])).toEqual([]);
  });

  it('inserts many rows in chunks', async () => {
    const many = Array.from({ length: 6000 }, (_, i) =>
      rec(`DEBIAN-CVE-2024-${10000 + i}`, 'Debian:12', `p${i}`),
    );
    await store.db.transaction().execute((trx) => replaceAffected(trx, 'osv:Debian:12', many));
    expect(await loadAffected(store.db, ['Debian:12'])).toHaveLength(6000);
  });
});
