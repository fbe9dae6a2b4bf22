import fs from 'node:fs';
import path from 'node:path';
import SQLite from 'better-sqlite3';
import { beforeAll, describe, expect, it } from 'vitest';
import { auditHash, GENESIS_HASH } from '../src/adapters/store/audit-log.js';
import { DeferralStore } from '../src/adapters/store/deferral-store.js';
import { openStore } from '../src/adapters/store/open-store.js';
import { RunStore } from '../src/adapters/store/run-store.js';
import { verifyAuditLog, type AuditRecord } from '../src/app/audit.js';
import { FIXTURES, parseNdjson, runCli, tempDir } from './helpers/cli.js';
import { fakeSpec } from './helpers/fake-run.js';

const DB = 'patchwise.db';
let base: string;

/** A store whose audit log was written by deferrals and a run through their own stores: 8 entries. */
async function writeLog(dir: string): Promise<void> {
  const store = await openStore(dir);
  try {
    const deferrals = new DeferralStore(store.db);
    const runs = new RunStore(store.db);
    const at = (m: number) => `2026-12-01T08:${String(m).padStart(2, '0')}:00.000Z`;
    const d = await deferrals.add(
      {
        findings: ['CVE-2023-44487'],
        hosts: ['web-1'],
        reason: 'update breaks HTTP/2 push',
        control: 'HTTP/2 off at the load balancer',
        owner: 'alice',
        review: '2026-12-20',
        until: 'fix-available',
        createdAt: at(0),
      },
      'alice',
    ); // 1
    const spec = fakeSpec([{ name: 'web-1' }]);
    await runs.create(
      { id: 'R-1', createdAt: at(1), actor: 'bob', kind: 'emergency', reason: 'test', spec },
      [{ host: 'web-1', position: 0, batch: 0 }],
    ); // 2
    for (const [i, step] of (['snapshot', 'apply', 'verify'] as const).entries()) {
      await runs.stepStarted('R-1', 'web-1', step, at(2 + i));
      await runs.stepEnded('R-1', 'web-1', step, {
        status: 'ok',
        output: '',
        detail: { i },
        at: at(2 + i),
        actor: 'bob',
      }); // 3, 4, 5
    }
    await runs.finish('R-1', 'finished', at(6), 'bob', { verified: 1 }); // 6
    await runs.log(at(7), 'carol', 'freeze-override', 'nightly@2026-12-22T02:00:00Z', { approver: 'dan' }); // 7
    await deferrals.end(d.id, 'patched', 'alice', at(8)); // 8
  } finally {
    await store.close();
  }
}

/** A copy of the base store, changed by hand with `tamper`. */
function tampered(tamper: (db: SQLite.Database) => void): string {
  const dir = tempDir('patchwise-audit-');
  fs.copyFileSync(path.join(base, DB), path.join(dir, DB));
  const db = new SQLite(path.join(dir, DB));
  tamper(db);
  db.close();
  return dir;
}

async function verifyIn(dir: string, pageSize?: number) {
  const store = await openStore(dir);
  try {
    return await verifyAuditLog(store.db, { pageSize });
  } finally {
    await store.close();
  }
}

beforeAll(async () => {
  base = tempDir('patchwise-audit-');
  await writeLog(base);
  // one file, no WAL beside it, so copies are whole
  const db = new SQLite(path.join(base, DB));
  db.pragma('journal_mode = DELETE');
  db.close();
}, 60_000);

describe('the audit log: deferrals and runs append to one hash chain (issue 14)', () => {
  it('is intact as written, whatever the page size, and says so with exit 0', async () => {
    const v = await verifyIn(base);
    expect(v).toMatchObject({ ok: true, entries: 8, lastId: 8 });
    expect(await verifyIn(base, 3)).toEqual(v);
    const r = runCli(['--data-dir', base, 'audit', 'verify']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toBe(`chain intact: 8 entries, last hash ${v.lastHash}\n`);
  });

  const cases: [string, (db: SQLite.Database) => void, { id: number; kind: string }][] = [
    [
      'an edited detail',
      (db) => db.prepare(`update decision_log set detail = '{"reason":"never mind"}' where id = 5`).run(),
      { id: 5, kind: 'edited' },
    ],
    [
      'an edited actor whose hash was re-computed by hand',
      (db) => {
        const r = db.prepare('select * from decision_log where id = 4').get() as {
          at: string;
          event: string;
          subject: string;
          detail: string;
          prev_hash: string;
        };
        const hash = auditHash({ ...r, id: 4, actor: 'mallory', prevHash: r.prev_hash });
        db.prepare(`update decision_log set actor = 'mallory', hash = ? where id = 4`).run(hash);
      },
      { id: 4, kind: 'edited' },
    ],
    [
      'a deleted entry',
      (db) => db.prepare('delete from decision_log where id = 3').run(),
      { id: 3, kind: 'removed' },
    ],
    [
      'the first entry deleted',
      (db) => db.prepare('delete from decision_log where id = 1').run(),
      { id: 1, kind: 'removed' },
    ],
    [
      'two entries swapped',
      (db) => {
        db.prepare('update decision_log set id = -6 where id = 6').run();
        db.prepare('update decision_log set id = 6 where id = 7').run();
        db.prepare('update decision_log set id = 7 where id = -6').run();
      },
      { id: 6, kind: 'reordered' },
    ],
    [
      'a row written around appendAudit',
      (db) =>
        db
          .prepare(
            `insert into decision_log (at, actor, event, subject, detail) values ('x', 'y', 'z', 's', '{}')`,
          )
          .run(),
      { id: 9, kind: 'unchained' },
    ],
  ];
  it.each(cases)(
    'names the first bad entry after %s, in the function and the CLI (exit 1)',
    async (_, tamper, want) => {
      const dir = tampered(tamper);
      const v = await verifyIn(dir);
      expect(v.ok).toBe(false);
      expect(v.problem).toMatchObject(want);
      expect(v.entries).toBe(want.id - 1);
      const r = runCli(['--data-dir', dir, 'audit', 'verify']);
      expect(r.code, r.stderr).toBe(1);
      expect(r.stdout).toContain(`chain broken at entry ${want.id} (${want.kind})`);
      const j = runCli(['--data-dir', dir, 'audit', 'verify', '--json']);
      expect(j.code).toBe(1);
      expect(JSON.parse(j.stdout)).toMatchObject({ ok: false, problem: want });
    },
  );

  it('exports NDJSON a SIEM can re-check: the header, then each entry with the hashes that chain it', () => {
    const r = runCli(['--data-dir', base, 'audit', 'export']);
    expect(r.code, r.stderr).toBe(0);
    const { header, records } = parseNdjson<AuditRecord>(r.stdout);
    expect(header).toEqual({ format: 'patchwise.audit', version: 1 });
    expect(records.map((e) => e.event)).toEqual([
      'deferral-added',
      'run-started',
      'run-step',
      'run-step',
      'run-step',
      'run-finished',
      'freeze-override',
      'deferral-ended',
    ]);
    let prev = GENESIS_HASH;
    for (const e of records) {
      expect(e.detailText).toBeUndefined();
      expect(e.prevHash).toBe(prev);
      expect(auditHash({ ...e, detail: JSON.stringify(e.detail), prevHash: prev })).toBe(e.hash);
      prev = e.hash!;
    }
    const since = parseNdjson<AuditRecord>(
      runCli(['--data-dir', base, 'audit', 'export', '--since', '2026-12-01T08:06:00Z']).stdout,
    );
    expect(since.header).toMatchObject({ since: '2026-12-01T08:06:00.000Z' });
    expect(since.records.map((e) => e.id)).toEqual([6, 7, 8]);
  });

  it('lists the latest entries of a subject as a table', () => {
    const r = runCli(['--data-dir', base, 'audit', 'list', '--subject', 'R-1/web-1', '--limit', '2']);
    expect(r.code, r.stderr).toBe(0);
    const lines = r.stdout.trim().split('\n');
    expect(lines[0]).toMatch(/^ID\s+AT\s+ACTOR\s+EVENT\s+SUBJECT\s+DETAIL$/);
    expect(lines.slice(1).map((l) => l.trim().split(/\s+/)[0])).toEqual(['4', '5']);
  });
});

describe('migration 0008 chains a store written before it', () => {
  it('store-0002 (one deferral-added entry) verifies, from the genesis hash', async () => {
    const dir = tempDir('patchwise-audit-');
    fs.copyFileSync(path.join(FIXTURES, 'stores/store-0002.sqlite'), path.join(dir, DB));
    const store = await openStore(dir);
    try {
      const v = await verifyAuditLog(store.db);
      expect(v).toMatchObject({ ok: true, entries: 1, lastId: 1 });
      const row = await store.db
        .withTables<{ decision_log: { id: number; prev_hash: string; hash: string; event: string } }>()
        .selectFrom('decision_log')
        .selectAll()
        .executeTakeFirstOrThrow();
      expect(row).toMatchObject({ event: 'deferral-added', prev_hash: GENESIS_HASH, hash: v.lastHash });
      // and new entries chain on from the migrated ones
      await new RunStore(store.db).log('2026-12-02T00:00:00Z', 'a', 'freeze-override', 'w@x', {});
      expect(await verifyAuditLog(store.db)).toMatchObject({ ok: true, entries: 2 });
    } finally {
      await store.close();
    }
  });
});

describe('configuration changes are logged (config-changed)', () => {
  it('once per change of the effective configuration, naming the sections that changed', () => {
    const dir = tempDir('patchwise-audit-');
    const yaml = (owner: string) =>
      `hosts:\n  - name: web-1\n    tier: 1\n    exposure: internet\n    owner: ${owner}\n`;
    fs.writeFileSync(path.join(dir, 'patchwise.yaml'), yaml('alice'));
    const cli = (...args: string[]) => runCli(args, { cwd: dir, env: { PATCHWISE_ACTOR: 'erin' } });
    expect(cli('hosts', 'list').code).toBe(0);
    expect(cli('hosts', 'list').code).toBe(0);
    fs.writeFileSync(path.join(dir, 'patchwise.yaml'), `# a comment changes nothing\n${yaml('alice')}`);
    expect(cli('hosts', 'list').code).toBe(0);
    fs.writeFileSync(path.join(dir, 'patchwise.yaml'), yaml('bob'));
    expect(cli('hosts', 'list').code).toBe(0);
    const { records } = parseNdjson<AuditRecord>(cli('audit', 'export').stdout);
    expect(records.map((e) => [e.event, e.subject, e.actor])).toEqual([
      ['config-changed', 'config', 'erin'],
      ['config-changed', 'config', 'erin'],
    ]);
    const [first, second] = records.map(
      (e) => e.detail as { sha256: string; previous: string; changed: string[] },
    );
    expect(first!.previous).toBeNull();
    expect(second).toMatchObject({ previous: first!.sha256, changed: ['hosts'] });
    expect(cli('audit', 'verify').code).toBe(0);
  });
});
