import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseTerraformState } from '../src/core/inventory/parse-terraform-state.js';

const state = JSON.parse(
  fs.readFileSync(path.resolve(import.meta.dirname, 'fixtures/inventory/terraform-show.json'), 'utf8'),
);

describe('parseTerraformState', () => {
  const r = parseTerraformState(state);
  const byName = Object.fromEntries(r.hosts.map((h) => [h.name, h]));

  it('takes managed instances of known types from the root and child modules, not data sources or snapshots', () => {
    expect(r.hosts.map((h) => h.name)).toEqual(['web-1', 'web-2', 'api-1', 'worker-1']);
  });

  it('keeps provider and id, public address and created_at, and maps tags', () => {
    expect(byName['web-1']).toMatchObject({
      provider: { name: 'raff', id: '5f0c6a9e-1111-4c1d-9a5e-0123456789ab' },
      connection: { ssh: { host: '198.51.100.10' } },
      publicAddress: '198.51.100.10',
      createdAt: '2026-03-02T09:15:00Z',
      tier: 1,
      exposure: 'internet',
      owner: 'team-web',
      environment: 'production',
    });
    expect(byName['api-1']).toMatchObject({
      provider: { name: 'aws', id: 'i-0abc123def4567890' },
      tier: 2,
      exposure: 'internal',
      owner: 'team-api',
      environment: 'staging',
      connection: { ssh: { host: '10.20.1.15' } },
    });
    expect(byName['api-1']!.publicAddress).toBeUndefined();
    expect(byName['worker-1']).toMatchObject({ provider: { name: 'digitalocean', id: '438291' }, tier: 3 });
  });

  it('reports conflicting tags instead of picking one', () => {
    expect(byName['web-2']!.tier).toBeUndefined();
    expect(r.issues).toEqual([
      { subject: 'raff_vm.web[1]', message: 'conflicting tags, left unset: tier: 1 vs 2' },
    ]);
  });

  it('says when the JSON is a plan rather than a state', () => {
    expect(parseTerraformState({ format_version: '1.2', planned_values: {} }).issues[0]!.message).toContain(
      'a plan, not a state',
    );
  });
});
