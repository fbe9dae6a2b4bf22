import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { openStore } from './open-store.js';

describe('openStore (SQLite)', () => {
  it('creates the database, migrates it, and reopens it idempotently', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pw-store-'));
    const a = await openStore(dir);
    await a.db
      .insertInto('host')
      .values({ name: 'web-1', record: '{}', created_at: 'now', updated_at: 'now' })
      .execute();
    await a.close();
    const b = await openStore(dir);
    const rows = await b.db.selectFrom('host').selectAll().execute();
    expect(rows.map((r) => r.name)).toEqual(['web-1']);
    await b.close();
    fs.rmSync(dir, { recursive: true });
  });
});
