import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { HostStore } from '../src/adapters/store/host-store.js';
import { openStore } from '../src/adapters/store/open-store.js';
import { saveScan } from '../src/adapters/store/scan-store.js';
import { ROOT, runCli, tempDir } from './helpers/cli.js';

const FIXTURES = path.join(ROOT, 'test/fixtures/inventory');

function workspace() {
  const dir = tempDir();
  const env = { PATCHWISE_HOME: path.join(dir, '.pw') };
  return { dir, run: (args: string[]) => runCli(args, { cwd: dir, env }) };
}

describe('hosts add | list | remove', () => {
  it('adds validated hosts, lists them with flags and sources, and removes them', () => {
    const { dir, run } = workspace();
    fs.writeFileSync(
      path.join(dir, 'patchwise.yaml'),
      'hosts:\n  - { name: cfg-1, connection: { local: true }, tier: 2, exposure: internal, owner: ops }\n',
    );
    expect(
      run([
        'hosts',
        'add',
        'web-1',
        '--tier',
        '1',
        '--exposure',
        'internet',
        '--owner',
        'team-web',
        '--ssh',
        'root@203.0.113.10:2222',
        '--jump',
        'ops@bastion',
        '--tag',
        'role=web',
        '--service',
        'site=https://203.0.113.10/health',
        '--service',
        'db=10.0.0.5:5432',
        '--service',
        'nginx=nginx.service',
      ]).code,
    ).toBe(0);
    const orphan = run(['hosts', 'add', 'orphan', '--ssh', '10.0.0.9']);
    expect(orphan.stdout).toContain('flagged: no tier, no exposure, no owner');
    const bad = run(['hosts', 'add', 'x', '--tier', '5']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('--tier must be 1, 2, 3 or 4 (got "5")');
    expect(run(['hosts', 'add', 'y', '--ssh', 'root@host:99999']).code).toBe(2);
    expect(run(['hosts', 'add', 'cfg-1', '--local']).stderr).toContain('already defined in patchwise.yaml:2');

    const list = JSON.parse(run(['hosts', 'list', '--json']).stdout) as Record<string, unknown>[];
    expect(list.map((h) => [h.name, h.source, h.flags])).toEqual([
      ['cfg-1', 'config', []],
      ['orphan', 'store', ['no tier', 'no exposure', 'no owner']],
      ['web-1', 'store', []],
    ]);
    expect(list[2]).toMatchObject({
      connection: { ssh: { host: '203.0.113.10', user: 'root', port: 2222, jump: 'ops@bastion' } },
      services: [
        { name: 'site', http: 'https://203.0.113.10/health' },
        { name: 'db', tcp: '10.0.0.5:5432' },
        { name: 'nginx', unit: 'nginx.service' },
      ],
      tags: { role: 'web' },
    });
    const table = run(['hosts', 'list']).stdout;
    expect(table).toMatch(/web-1\s+root@203\.0\.113\.10:2222 via ops@bastion\s+1\s+internet\s+team-web/);
    expect(table).toContain('1 of 3 hosts lack tier, exposure or owner');

    expect(run(['hosts', 'remove', 'orphan']).code).toBe(0);
    expect(run(['hosts', 'remove', 'cfg-1']).stderr).toContain('defined in patchwise.yaml:2');
    expect(run(['hosts', 'remove', 'nope']).code).toBe(2);
  });
});

describe('hosts import FILE', () => {
  it('imports Ansible INI and YAML and terraform state, detected by content; re-import is unchanged', () => {
    const { run } = workspace();
    const ini = JSON.parse(run(['hosts', 'import', path.join(FIXTURES, 'ansible.ini'), '--json']).stdout);
    expect(ini.format).toBe('ansible-ini');
    expect(ini.added).toHaveLength(7);
    expect(ini.flagged.map((f: { name: string }) => f.name)).toContain('mail.example.com');
    const yml = JSON.parse(run(['hosts', 'import', path.join(FIXTURES, 'ansible.yml'), '--json']).stdout);
    expect(yml.format).toBe('ansible-yaml');
    expect(yml.added).toEqual(['stage-db-1', 'vault-1']);
    // The YAML inventory gives web01/web02 other addresses: kept until --replace says so.
    expect(yml.updated).toEqual([]);
    expect(yml.skipped.map((x: { reason: string }) => x.reason).join('\n')).toContain(
      'connection deploy@web01.example.com -> admin@203.0.113.11',
    );
    const replaced = JSON.parse(
      run(['hosts', 'import', path.join(FIXTURES, 'ansible.yml'), '--json', '--replace']).stdout,
    );
    expect(replaced.updated).toEqual(['web01.example.com', 'web02.example.com']);
    const tf = run(['hosts', 'import', path.join(FIXTURES, 'terraform-show.json')]);
    expect(tf.code).toBe(0);
    expect(tf.stdout).toContain('Imported 4 hosts from');
    expect(tf.stdout).toContain('conflicting tags, left unset: tier: 1 vs 2');
    const again = JSON.parse(
      run(['hosts', 'import', path.join(FIXTURES, 'terraform-show.json'), '--json', '--dry-run']).stdout,
    );
    expect(again.unchanged).toHaveLength(4);
    const list = JSON.parse(run(['hosts', 'list', '--json']).stdout) as { name: string; source: string }[];
    expect(list.find((h) => h.name === 'api-1')?.source).toBe('aws');
  });

  it('refuses a plan, or neither FILE nor --from', () => {
    const { dir, run } = workspace();
    fs.writeFileSync(
      path.join(dir, 'plan.json'),
      JSON.stringify({ format_version: '1.2', planned_values: {} }),
    );
    expect(run(['hosts', 'import', 'plan.json']).stderr).toContain('a plan, not a state');
    expect(run(['hosts', 'import']).code).toBe(2);
  });
});

describe('HostStore', () => {
  it('says added, unchanged, updated; keeps created_at; reads the latest scan OS', async () => {
    const dir = tempDir();
    const store = await openStore(dir);
    try {
      const hosts = new HostStore(store.db);
      const h = { name: 'a', services: [], tags: { x: '1' }, tier: 1 as const };
      expect(await hosts.upsert(h, '2026-01-01T00:00:00Z')).toBe('added');
      expect(await hosts.upsert({ ...h, tags: { x: '1' } }, '2026-01-02T00:00:00Z')).toBe('unchanged');
      expect(await hosts.upsert({ ...h, owner: 'me' }, '2026-01-03T00:00:00Z')).toBe('updated');
      const got = await hosts.get('a');
      expect(got).toMatchObject({
        createdAt: '2026-01-01T00:00:00Z',
        updatedAt: '2026-01-03T00:00:00Z',
        host: { owner: 'me' },
      });
      await saveScan(store.db, {
        host: 'a',
        startedAt: 'x',
        finishedAt: 'x',
        status: 'ok',
        error: null,
        state: { schema: 1, host: 'a', os: 'debian:12', scannedAt: 'x', packages: [], issues: [] },
      });
      await store.db
        .insertInto('scan')
        .values({
          host: 'a',
          started_at: 'y',
          finished_at: null,
          status: 'failed',
          error: 'down',
          state: null,
        })
        .execute();
      expect(await hosts.latestOs(['a', 'b'])).toEqual(new Map([['a', 'debian:12']]));
      expect(await hosts.remove('a')).toBe(true);
      expect(await hosts.remove('a')).toBe(false);
    } finally {
      await store.close();
    }
  });
});
