import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ROOT, tempDir, type CliResult } from './helpers/cli.js';
import { makeVms, startRaffMock, type RaffMock } from './helpers/raff-mock-server.js';

const KEY = 'rk_live_S3cr3t-Key-0123456789abcdef';
const PROJECT = '3f1c2b7a-9d0e-4c1b-8a2f-1234567890ab';

/** The CLI as a child process without blocking this process's event loop (the mock lives here). */
function runCliAsync(
  args: string[],
  env: Record<string, string>,
  cwd: string,
): Promise<CliResult & { ms: number }> {
  const started = Date.now();
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [path.join(ROOT, 'bin/patchwise.js'), ...args], {
      cwd,
      env: { ...process.env, CI: '1', ...env },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d));
    child.stderr.on('data', (d: Buffer) => (stderr += d));
    child.on('close', (code) => resolve({ code: code ?? -1, stdout, stderr, ms: Date.now() - started }));
  });
}

function tag(i: number): string[] {
  if (i % 3 === 0) return ['tier-1', 'internet', 'owner-alice', 'production'];
  if (i % 3 === 1) return ['tier2', 'internal', 'owner:team-db'];
  return ['web'];
}

let mock: RaffMock | undefined;
afterEach(async () => {
  await mock?.close();
  mock = undefined;
});

async function setup(n = 45) {
  mock = await startRaffMock({
    apiKey: KEY,
    vms: makeVms(n, { projectId: PROJECT, tags: tag }),
    maxLimit: 20,
  });
  const dir = tempDir();
  const env = { RAFF_API_KEY: KEY, RAFF_API_URL: mock.url, PATCHWISE_HOME: path.join(dir, '.pw') };
  return { dir, env, run: (args: string[]) => runCliAsync(args, env, dir) };
}

function expectNoKey(r: CliResult): void {
  expect(r.stdout).not.toContain(KEY);
  expect(r.stderr).not.toContain(KEY);
}

describe('hosts import --from raff against a local spec-checked Raff API', () => {
  beforeAll(() => expect(fs.existsSync(path.join(ROOT, 'dist/cli/main.js'))).toBe(true));

  it('pages over 3 pages, maps tags, keeps provider id, address and created_at', async () => {
    const { run } = await setup(45);
    const r = await run(['hosts', 'import', '--from', 'raff', '--project', PROJECT, '--json']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expectNoKey(r);
    const report = JSON.parse(r.stdout);
    expect(report.added).toHaveLength(45);
    expect(report.reconciliation.unmanaged).toHaveLength(45);
    const vmCalls = mock!.requests.filter((q) => q.path === '/api/v1/vms');
    expect(vmCalls.map((q) => q.query.offset)).toEqual(['0', '20', '40']);
    expect(
      vmCalls.every((q) => q.hadKey && q.projectHeader === PROJECT && q.query.project_id === PROJECT),
    ).toBe(true);
    expect(mock!.violations).toEqual([]);

    const list = JSON.parse((await run(['hosts', 'list', '--json'])).stdout);
    const first = list.find((h: { name: string }) => h.name === 'vm-001');
    expect(first).toMatchObject({
      tier: 1,
      exposure: 'internet',
      owner: 'alice',
      environment: 'production',
      source: 'raff',
      flags: [],
      publicAddress: '198.51.100.1',
      createdAt: '2026-01-15T08:30:00Z',
      provider: { name: 'raff', id: mock!.vms[0]!.id },
    });
    expect(list.find((h: { name: string }) => h.name === 'vm-002')).toMatchObject({
      tier: 2,
      exposure: 'internal',
      owner: 'team-db',
    });
    expect(list.find((h: { name: string }) => h.name === 'vm-003').flags).toEqual([
      'no tier',
      'no exposure',
      'no owner',
    ]);
  });

  it('reports unmanaged VMs and inventory hosts whose VM is gone, and re-imports as unchanged', async () => {
    const { run, dir } = await setup(5);
    expect((await run(['hosts', 'import', '--from', 'raff'])).code).toBe(0);
    // a VM disappears, a new one appears, and the config names a hand-written host for an existing VM
    const gone = mock!.vms.shift()!;
    mock!.vms.push(...makeVms(7, { projectId: PROJECT, namePrefix: 'new' }).slice(6));
    fs.writeFileSync(
      path.join(dir, 'patchwise.yaml'),
      'hosts:\n  - { name: vm-002, tier: 1, exposure: internet, owner: bob }\n',
    );
    const r = await run(['hosts', 'import', '--from', 'raff', '--json']);
    expect(r.code).toBe(0);
    const report = JSON.parse(r.stdout);
    expect(report.reconciliation.gone).toEqual([{ name: 'vm-001', id: gone.id, source: 'store' }]);
    expect(report.reconciliation.unmanaged.map((u: { name: string }) => u.name)).toEqual(['new-007']);
    expect(report.added).toEqual(['new-007']);
    expect(report.unchanged).toEqual(['vm-003', 'vm-004', 'vm-005']);
    expect(report.skipped).toEqual([{ name: 'vm-002', reason: 'defined in patchwise.yaml:2' }]);
    const text = await run(['hosts', 'import', '--from', 'raff', '--dry-run']);
    expect(text.stderr).toBe('');
    expect(text.stdout).toContain('Gone: 1 inventory host(s)');
    expect(text.stdout).toContain('vm-001');
    expect(mock!.violations).toEqual([]);
  });

  it('honours 429 Retry-After (measured) and then succeeds', async () => {
    const { run } = await setup(3);
    mock!.faults.push({ status: 429, retryAfter: '2' });
    const r = await run(['hosts', 'import', '--from', 'raff', '--json']);
    expect(r.code).toBe(0);
    const calls = mock!.requests.filter((q) => q.path === '/api/v1/vms');
    expect(calls.map((c) => c.status)).toEqual([429, 200]);
    expect(calls[1]!.at - calls[0]!.at).toBeGreaterThanOrEqual(1900);
    expect(r.stderr).toContain('retrying in 2.0s');
    expectNoKey(r);
  });

  it('401: exit 2, a hint, and the key never shown even when the server echoes it', async () => {
    const { run } = await setup(3);
    mock!.faults.push({ status: 401 });
    const r = await run(['hosts', 'import', '--from', 'raff']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('Raff rejected the API key (401 Unauthorized');
    expect(r.stderr).toContain('[redacted]');
    expectNoKey(r);
    const debug = await runCliAsync(
      ['hosts', 'import', '--from', 'raff'],
      { RAFF_API_KEY: 'wrong-key-value', RAFF_API_URL: mock!.url, PATCHWISE_DEBUG: '1' },
      tempDir(),
    );
    expect(debug.code).toBe(2);
    expect(debug.stderr).not.toContain('wrong-key-value');
  });

  it('5xx is retried with backoff, then exit 3', async () => {
    const { run } = await setup(3);
    mock!.faults.push(...Array.from({ length: 5 }, () => ({ status: 503 as const })));
    const r = await run(['hosts', 'import', '--from', 'raff']);
    expect(r.code).toBe(3);
    expect(mock!.requests.filter((q) => q.path === '/api/v1/vms')).toHaveLength(5);
    expect(r.stderr).toContain('failed after 5 attempts (last: 503');
    expectNoKey(r);
    expect(mock!.violations).toEqual([]);
  });

  it('takes the key from apiKeyFile and refuses one on the command line', async () => {
    const { dir, env } = await setup(2);
    fs.writeFileSync(path.join(dir, 'raff.key'), KEY + '\n');
    fs.writeFileSync(
      path.join(dir, 'patchwise.yaml'),
      `providers:\n  prod:\n    kind: raff\n    apiKeyFile: ${path.join(dir, 'raff.key')}\n    baseUrl: ${mock!.url}\n    projectId: ${PROJECT}\n`,
    );
    const r = await runCliAsync(
      ['hosts', 'import', '--from', 'prod', '--json'],
      { ...env, RAFF_API_KEY: '' },
      dir,
    );
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout).added).toHaveLength(2);
    const onCli = await runCliAsync(['hosts', 'import', '--from', 'raff', '--api-key', KEY], { ...env }, dir);
    expect(onCli.code).toBe(2);
    const none = await runCliAsync(['hosts', 'import', '--from', 'raff'], { ...env, RAFF_API_KEY: '' }, dir);
    expect(none.code).toBe(2);
    expect(none.stderr).toContain('No Raff API key');
  });
});

describe('the mock enforces the spec', () => {
  it('rejects a request without X-API-Key and a malformed parameter', async () => {
    mock = await startRaffMock({ apiKey: KEY, vms: makeVms(1, { projectId: PROJECT }) });
    const noKey = await fetch(`${mock.url}/api/v1/vms`);
    expect(noKey.status).toBe(401);
    const badLimit = await fetch(`${mock.url}/api/v1/vms?limit=ten`, { headers: { 'X-API-Key': KEY } });
    expect(badLimit.status).toBe(400);
    const badProject = await fetch(`${mock.url}/api/v1/vms?project_id=nope`, {
      headers: { 'X-API-Key': KEY },
    });
    expect(badProject.status).toBe(400);
    expect(mock.violations).toEqual([
      'GET /api/v1/vms without X-API-Key',
      expect.stringContaining('query parameter limit=ten'),
      expect.stringContaining('query parameter project_id=nope'),
    ]);
  });

  it('flags its own responses when they break the spec', async () => {
    const vms = makeVms(1, { projectId: PROJECT });
    delete vms[0]!.created_at;
    mock = await startRaffMock({ apiKey: KEY, vms });
    await fetch(`${mock.url}/api/v1/vms`, { headers: { 'X-API-Key': KEY } });
    expect(mock.violations.join('\n')).toMatch(/response 200 body breaks the spec: .*created_at/);
  });
});
