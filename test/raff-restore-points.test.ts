import { afterEach, describe, expect, it } from 'vitest';
import { RaffClient } from '../src/adapters/providers/raff/raff-client.js';
import { RaffRestorePoints, readSnapshot } from '../src/adapters/providers/raff/raff-restore-points.js';
import { restorePointProviderFor } from '../src/adapters/providers/providers.js';
import { OperationalError } from '../src/core/errors.js';
import { makeVms, startRaffMock, type RaffMock, type RaffMockOptions } from './helpers/raff-mock-server.js';

const KEY = 'rk_live_S3cr3t-Key-0123456789abcdef';
const PROJECT = '3f1c2b7a-9d0e-4c1b-8a2f-1234567890ab';
const NAME = 'patchwise-run1-web-1';

let mock: RaffMock | undefined;
afterEach(async () => {
  await mock?.close();
  mock = undefined;
});

async function setup(options: Partial<RaffMockOptions> = {}, timeouts = {}) {
  mock = await startRaffMock({ apiKey: KEY, vms: makeVms(2, { projectId: PROJECT }), ...options });
  const waits: number[] = [];
  const client = new RaffClient({
    baseUrl: mock.url,
    apiKey: KEY,
    projectId: PROJECT,
    sleep: async (ms) => void waits.push(ms),
  });
  let now = 0;
  const provider = new RaffRestorePoints(client, PROJECT, {
    pollMs: 1000,
    maxPollMs: 8000,
    now: () => now,
    sleep: async (ms) => void (now += ms),
    ...timeouts,
  });
  const vm = mock.vms[0]!;
  return { provider, vm, id: vm.id as string, waits, messages: [] as string[] };
}

const calls = () => mock!.requests.map((r) => `${r.method} ${r.path}${r.status === 429 ? ' 429' : ''}`);

describe('Raff restore points against the spec-checked mock', () => {
  it('creates: checks the VM is active, waits through the capture, survives a 429', async () => {
    const { provider, id, waits, messages } = await setup({ snapshotPolls: 3 });
    mock!.faults.push({ status: 429, retryAfter: '3' });
    const rp = await provider.create(id, NAME, (m) => messages.push(m));
    expect(rp).toMatchObject({ name: NAME, id: '101', status: 'ready' });
    expect(waits).toEqual([3000]);
    expect(calls().slice(0, 4)).toEqual([
      'GET /api/v1/snapshots 429',
      'GET /api/v1/snapshots',
      `GET /api/v1/vms/${id}`,
      'POST /api/v1/snapshots',
    ]);
    expect(messages.some((m) => m.includes('still capturing; checking again in 1.0s'))).toBe(true);
    expect(mock!.requests.every((r) => r.hadKey && r.projectHeader === PROJECT)).toBe(true);
    expect(mock!.violations).toEqual([]);
  });

  it('is idempotent by name: a second create finds the first, and find answers by name', async () => {
    const { provider, id } = await setup();
    await provider.create(id, NAME);
    expect(await provider.create(id, NAME)).toMatchObject({ id: '101', status: 'ready' });
    expect(mock!.snapshots).toHaveLength(1);
    expect(await provider.find(id, NAME)).toMatchObject({ id: '101', status: 'ready' });
    expect(await provider.find(id, 'patchwise-other')).toBeUndefined();
    expect(mock!.violations).toEqual([]);
  });

  it('refuses to snapshot a VM that is not active, saying why', async () => {
    const { provider, id, vm } = await setup();
    vm.status = 'passive';
    const e = await provider.create(id, NAME).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(OperationalError);
    expect((e as Error).message).toBe(`VM ${id} is passive, and Raff snapshots only an active VM.`);
    expect(mock!.snapshots).toHaveLength(0);
  });

  it('restores: powers off, waits passive, restores, powers on, waits active', async () => {
    const { provider, id, vm } = await setup();
    await provider.create(id, NAME);
    mock!.requests.length = 0;
    await provider.restore(id, NAME);
    const seq = calls().filter((c) => c.startsWith('POST'));
    expect(seq).toEqual([
      `POST /api/v1/vms/${id}/stop`,
      'POST /api/v1/snapshots/101/restore',
      `POST /api/v1/vms/${id}/start`,
    ]);
    const stop = calls().indexOf(`POST /api/v1/vms/${id}/stop`);
    const restore = calls().indexOf('POST /api/v1/snapshots/101/restore');
    expect(
      calls()
        .slice(stop + 1, restore)
        .filter((c) => c === `GET /api/v1/vms/${id}`).length,
    ).toBe(2);
    expect(vm.status).toBe('active');
    expect(mock!.snapshots[0]!.status).toBe('active');
    await expect(provider.delete(id, NAME)).rejects.toThrow(/was restored to it/);
    expect(mock!.violations).toEqual([]);
  });

  it('restore of a VM between states waits for it to settle, and a VM that never stops times out', async () => {
    const { provider, id, vm } = await setup({}, { powerTimeoutMs: 30_000 });
    await provider.create(id, NAME);
    vm.status = 'booting';
    mock!.transitions.set(id, ['active', 2]);
    await provider.restore(id, NAME);
    expect(vm.status).toBe('active');
    expect(mock!.snapshots[0]!.status).toBe('active');
    vm.status = 'finalizing'; // and nothing will ever finish it
    await expect(provider.restore(id, NAME)).rejects.toThrow(
      `VM ${id} was not active or passive after 30s (last status: finalizing).`,
    );
    expect(mock!.violations).toEqual([]);
  });

  it('the mock refuses a restore of a running VM (400), and the error says so', async () => {
    const { id } = await setup();
    const client = new RaffClient({ baseUrl: mock!.url, apiKey: KEY, projectId: PROJECT });
    const snap = await client.createSnapshot(id, NAME);
    const e = await client.restoreSnapshot(snap.id).catch((x: unknown) => x);
    expect((e as Error).message).toContain('VM must be in passive state');
    expect(mock!.snapshots[0]!.status).toBe('');
  });

  it('refuses to restore from a name that does not exist', async () => {
    const { provider, id } = await setup();
    await expect(provider.restore(id, NAME)).rejects.toThrow(`VM ${id} has no snapshot named ${NAME}.`);
    expect(calls().some((c) => c.includes('/stop'))).toBe(false);
  });

  it('deletes by name (and again without error); lists only patchwise names, oldest first', async () => {
    const { provider, id } = await setup();
    await provider.create(id, 'patchwise-run1-web-1');
    await provider.create(id, 'patchwise-run2-web-1');
    mock!.snapshots.push({
      id: 900,
      type: 'vm',
      name: 'manual-before-upgrade',
      status: '',
      size: '1 GB',
      product_vm: id,
    });
    mock!.snapshots.push({
      id: 901,
      type: 'vm',
      name: 'patchwise-other-vm',
      status: '',
      size: '1 GB',
      product_vm: 'x',
    });
    expect((await provider.list(id)).map((r) => r.name)).toEqual([
      'patchwise-run1-web-1',
      'patchwise-run2-web-1',
    ]);
    await provider.delete(id, 'patchwise-run1-web-1');
    await provider.delete(id, 'patchwise-run1-web-1');
    expect(mock!.snapshots.map((s) => s.name)).toEqual([
      'patchwise-run2-web-1',
      'manual-before-upgrade',
      'patchwise-other-vm',
    ]);
    expect(mock!.violations).toEqual([]);
  });

  it('latestBackup: the newest ready backup of the VM, or null', async () => {
    const backup = (n: number, status: string, created_at: string, vm: string) => ({
      id: `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`,
      name: `b${n}`,
      storage_size: 1024,
      status,
      created_at,
      product_vm: vm,
    });
    const vms = makeVms(2, { projectId: PROJECT });
    const [a, b] = vms.map((v) => v.id as string);
    const { provider } = await setup({
      vms,
      backups: [
        backup(1, 'ready', '2026-11-01T03:00:00Z', a!),
        backup(2, 'ready', '2026-11-20T03:00:00Z', a!),
        backup(3, 'creating', '2026-11-28T03:00:00Z', a!),
        backup(4, 'ready', '2026-11-29T03:00:00Z', b!),
      ],
    });
    expect(await provider.latestBackup(a!)).toEqual(new Date('2026-11-20T03:00:00Z'));
    expect(await provider.latestBackup('00000000-0000-4000-8000-0000000000ff')).toBeNull();
    expect(mock!.violations).toEqual([]);
  });

  it('power-cycles with a hard reboot and waits for active', async () => {
    const { provider, id, vm } = await setup();
    await provider.powerCycle(id);
    expect(calls()).toContain(`POST /api/v1/vms/${id}/reboot-hard`);
    expect(vm.status).toBe('active');
    expect(mock!.violations).toEqual([]);
  });

  it('times out with a clear message naming what it last saw', async () => {
    const { provider, id } = await setup({ snapshotOutcome: 'never' }, { snapshotTimeoutMs: 60_000 });
    await expect(provider.create(id, NAME)).rejects.toThrow(
      `Snapshot ${NAME} of VM ${id} was not ready after 60s (last seen: still capturing).`,
    );
  });

  it('guide-style statuses: creating then ready (which the spec does not allow), failed fails', async () => {
    const { provider, id } = await setup({ snapshotStyle: 'guide' });
    expect(await provider.create(id, NAME)).toMatchObject({ status: 'ready' });
    expect(mock!.violations.length).toBeGreaterThan(0);
    expect(mock!.violations.every((v) => v.includes('must be equal to one of the allowed values'))).toBe(
      true,
    );
    await mock!.close();
    const failing = await setup({ snapshotStyle: 'guide', snapshotOutcome: 'failed' });
    await expect(failing.provider.create(failing.id, NAME)).rejects.toThrow(/as failed/);
  });

  it('reads statuses as documented in docs/providers.md', () => {
    expect(readSnapshot({ status: '', size: '' })).toEqual({ state: 'pending' });
    expect(readSnapshot({ status: '', size: '0 GB' })).toEqual({ state: 'pending' });
    expect(readSnapshot({ status: '', size: '2.4 GB' })).toEqual({ state: 'ready' });
    expect(readSnapshot({ status: 'active', size: '' })).toEqual({ state: 'ready' });
    expect(readSnapshot({ status: 'creating' })).toEqual({ state: 'pending' });
    expect(readSnapshot({ status: 'Ready' })).toEqual({ state: 'ready' });
    expect(readSnapshot({ status: 'failed' })).toEqual({ state: 'failed' });
    expect(readSnapshot({ status: 'migrating' })).toEqual({ state: 'unknown', value: 'migrating' });
  });

  it('never shows the key, even when the server echoes it; the factory reads the key as discovery does', async () => {
    const { id } = await setup();
    mock!.faults.push({ status: 401 });
    const provider = restorePointProviderFor(
      'raff',
      { kind: 'raff', apiKeyEnv: 'MY_RAFF', projectId: PROJECT },
      { MY_RAFF: KEY, RAFF_API_URL: mock!.url },
    );
    const e = (await provider.create(id, NAME).catch((x: unknown) => x)) as Error & { hint?: string };
    expect(e.message).toContain('[redacted]');
    expect(`${e.message} ${e.hint} ${String(e.cause)} ${e.stack}`).not.toContain(KEY);
    expect(() =>
      restorePointProviderFor('raff', { kind: 'raff' }, { RAFF_API_KEY: KEY, RAFF_API_URL: mock!.url }),
    ).toThrow(/need a project/);
  });
});
