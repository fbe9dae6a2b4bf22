import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { expandHostPattern, parseAnsibleInventory } from '../src/core/inventory/parse-ansible-inventory.js';

const fixture = (f: string) =>
  fs.readFileSync(path.resolve(import.meta.dirname, 'fixtures/inventory', f), 'utf8');

describe('expandHostPattern', () => {
  it.each([
    ['web[01:03].example.com', ['web01.example.com', 'web02.example.com', 'web03.example.com']],
    ['db-[a:c]', ['db-a', 'db-b', 'db-c']],
    ['n[1:5:2]', ['n1', 'n3', 'n5']],
    ['plain', ['plain']],
  ])('%s', (p, expected) => expect(expandHostPattern(p)).toEqual(expected));
});

describe('parseAnsibleInventory (INI)', () => {
  const r = parseAnsibleInventory(fixture('ansible.ini'));
  const byName = Object.fromEntries(r.hosts.map((h) => [h.name, h]));

  it('detects the format and reads every host, ranges expanded', () => {
    expect(r.format).toBe('ansible-ini');
    expect(r.hosts.map((h) => h.name).sort()).toEqual([
      'bastion-web',
      'db1',
      'db2',
      'mail.example.com',
      'web01.example.com',
      'web02.example.com',
      'web03.example.com',
    ]);
    expect(r.issues).toEqual([]);
  });

  it('maps ansible_host/user/port, ProxyJump and ansible_connection=local', () => {
    expect(byName['bastion-web']!.connection).toEqual({ ssh: { host: '203.0.113.20', port: 2222 } });
    expect(byName.db1!.connection).toEqual({
      ssh: { host: '10.0.0.11', user: 'postgres', jump: 'ops@bastion.example.com' },
    });
    expect(byName['web01.example.com']!.connection).toEqual({
      ssh: { host: 'web01.example.com', user: 'deploy' },
    });
    expect(byName['mail.example.com']!.connection).toEqual({ local: true });
  });

  it('classifies from group vars, host vars (which win) and group names, through :children', () => {
    expect(byName.db1).toMatchObject({
      tier: 2,
      exposure: 'internal',
      owner: 'dba',
      environment: 'production',
    });
    expect(byName.db2!.tier).toBe(1);
    expect(byName['web02.example.com']).toMatchObject({
      tier: 1,
      exposure: 'internet',
      owner: 'team_web',
      environment: 'production',
    });
    expect(byName['bastion-web']).toMatchObject({ tier: 1, owner: 'team web' });
    expect(byName['bastion-web']!.exposure).toBeUndefined();
    expect(byName['mail.example.com']!.tier).toBeUndefined();
  });
});

describe('parseAnsibleInventory (YAML)', () => {
  const r = parseAnsibleInventory(fixture('ansible.yml'));
  const byName = Object.fromEntries(r.hosts.map((h) => [h.name, h]));

  it('reads nested children, inherits all: vars, host vars win', () => {
    expect(r.format).toBe('ansible-yaml');
    expect(byName['web02.example.com']).toMatchObject({
      connection: { ssh: { host: '203.0.113.12', user: 'admin', port: 2222 } },
      tier: 1,
      exposure: 'internet',
      owner: 'team-web',
    });
    expect(byName['stage-db-1']).toMatchObject({
      connection: { ssh: { host: '10.1.0.5', user: 'root' } },
      environment: 'staging',
    });
    expect(byName['vault-1']!.exposure).toBe('isolated');
    expect(byName['stage-db-1']!.tags['ansible-groups']).toBe('staging,stage_db');
  });

  it('skips a host whose variables do not make a valid host, with a note', () => {
    const bad = parseAnsibleInventory('[web]\nw1 ansible_port=99999\nw2\n');
    expect(bad.hosts.map((h) => h.name)).toEqual(['w2']);
    expect(bad.issues[0]).toMatchObject({ subject: 'w1', line: 2 });
    expect(bad.issues[0]!.message).toContain('connection');
  });
});
