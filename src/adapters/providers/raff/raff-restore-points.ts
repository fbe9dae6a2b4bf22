import { OperationalError, UserError } from '../../../core/errors.js';
import type { ProgressFn, RestorePointInfo, RestorePointProvider } from '../restore-point.js';
import type { RaffClient, RaffSnapshot } from './raff-client.js';

/** How patient the Raff restore points are (the defaults suit real snapshots: minutes). */
export interface RaffRestorePointOptions {
  /** how long a snapshot may take to be ready; default 20 minutes */
  snapshotTimeoutMs?: number;
  /** how long a VM may take to stop or start; default 10 minutes */
  powerTimeoutMs?: number;
  /** first wait between polls; doubles up to `maxPollMs` */
  pollMs?: number;
  maxPollMs?: number;
  sleep?: (ms: number) => Promise<void>;
  now?: () => number;
}

/** What a listed snapshot's fields say about it; see docs/providers.md ("What ready means on Raff"). */
export type SnapshotReading = { state: RestorePointInfo['status'] } | { state: 'unknown'; value: string };

const READY = new Set(['ready', 'active', 'available']);
const PENDING = new Set(['creating', 'pending', 'processing', 'queued']);
const FAILED = new Set(['failed', 'error']);

/**
 * Raff documents two vocabularies for a snapshot's `status`: the spec's `""` / `active` (whether the VM
 * runs on it) and the guide's creating / ready / failed. Neither says when a capture has finished, so:
 * `ready` and `active` are ready; creating/pending are pending; failed is failed; `""` (or no status) is
 * ready once Raff reports a size above zero and pending before; any other value is unknown (waited on).
 */
export function readSnapshot(s: Pick<RaffSnapshot, 'status' | 'size'>): SnapshotReading {
  const status = (s.status ?? '').trim().toLowerCase();
  if (READY.has(status)) return { state: 'ready' };
  if (PENDING.has(status)) return { state: 'pending' };
  if (FAILED.has(status)) return { state: 'failed' };
  if (status !== '') return { state: 'unknown', value: s.status ?? '' };
  const size = parseFloat(String(s.size ?? '').replace(/[^\d.]/g, ''));
  return { state: Number.isFinite(size) && size > 0 ? 'ready' : 'pending' };
}

function info(s: RaffSnapshot): RestorePointInfo {
  const r = readSnapshot(s);
  const out: RestorePointInfo = {
    name: s.name,
    id: String(s.id),
    status: r.state === 'unknown' ? 'pending' : r.state,
  };
  if (s.created_at) out.createdAt = s.created_at;
  return out;
}

/**
 * Restore points as Raff VM snapshots (`kind: raff`). The VM must be active to be snapshotted and
 * passive to be restored; power changes and captures are waited on with backoff and a timeout. Found by
 * name in the VM's snapshot list, so a resumed run finds its own and retention deletes only patchwise's.
 */
export class RaffRestorePoints implements RestorePointProvider {
  readonly kind = 'raff';
  private readonly o: Required<RaffRestorePointOptions>;

  constructor(
    private readonly client: RaffClient,
    readonly projectId: string | undefined,
    options: RaffRestorePointOptions = {},
  ) {
    if (!projectId)
      throw new UserError(
        'raff-project-required',
        'Raff restore points need a project: snapshots and power actions require X-Project-ID.',
        'Set projectId (the project UUID) on the raff provider in patchwise.yaml.',
      );
    this.o = {
      snapshotTimeoutMs: 20 * 60_000,
      powerTimeoutMs: 10 * 60_000,
      pollMs: 5_000,
      maxPollMs: 30_000,
      sleep: (ms) => new Promise((r) => setTimeout(r, ms)),
      now: () => Date.now(),
      ...options,
    };
  }

  async create(id: string, name: string, progress?: ProgressFn): Promise<RestorePointInfo> {
    const existing = await this.findSnapshot(id, name);
    if (existing) {
      progress?.(`Snapshot ${name} of VM ${id} exists already.`);
      return this.waitReady(id, name, progress);
    }
    const vm = await this.client.getVm(id);
    if (!vm) throw new OperationalError('raff-vm-missing', `Raff has no VM ${id}.`);
    if (vm.status !== 'active')
      throw new OperationalError(
        'raff-vm-not-active',
        `VM ${id} is ${vm.status || 'in no state'}, and Raff snapshots only an active VM.`,
        'Start the VM (or wait for it to finish booting) and run again.',
      );
    progress?.(`Asking Raff for snapshot ${name} of VM ${id}.`);
    await this.client.createSnapshot(id, name);
    return this.waitReady(id, name, progress);
  }

  async find(id: string, name: string): Promise<RestorePointInfo | undefined> {
    const s = await this.findSnapshot(id, name);
    return s && info(s);
  }

  async restore(id: string, name: string, progress?: ProgressFn): Promise<void> {
    const s = await this.findSnapshot(id, name);
    if (!s) throw new OperationalError('raff-snapshot-missing', `VM ${id} has no snapshot named ${name}.`);
    if (info(s).status !== 'ready')
      throw new OperationalError(
        'raff-snapshot-not-ready',
        `Snapshot ${name} of VM ${id} is not ready (status "${s.status ?? ''}").`,
      );
    await this.powerTo(id, 'passive', progress);
    progress?.(`Restoring VM ${id} to snapshot ${name}.`);
    await this.client.restoreSnapshot(s.id);
    await this.powerTo(id, 'active', progress);
  }

  async delete(id: string, name: string): Promise<void> {
    for (const s of (await this.client.listSnapshots(id)).filter((x) => x.name === name)) {
      if (s.status === 'active')
        throw new OperationalError(
          'raff-snapshot-in-use',
          `Snapshot ${name} cannot be deleted: VM ${id} was restored to it and Raff keeps the snapshot a VM runs on.`,
          'It can be deleted once a later snapshot of the VM has been restored, or the VM is gone.',
        );
      await this.client.deleteSnapshot(s.id);
    }
  }

  async list(id: string): Promise<RestorePointInfo[]> {
    return (await this.client.listSnapshots(id))
      .filter((s) => s.name.startsWith('patchwise-'))
      .sort((a, b) => (a.created_at ?? '').localeCompare(b.created_at ?? '') || a.id - b.id)
      .map(info);
  }

  async latestBackup(id: string): Promise<Date | null> {
    const times = (await this.client.listBackups(id))
      .filter((b) => b.status === 'ready' && b.created_at)
      .map((b) => Date.parse(b.created_at!))
      .filter((t) => !Number.isNaN(t));
    return times.length ? new Date(Math.max(...times)) : null;
  }

  async powerCycle(id: string, progress?: ProgressFn): Promise<void> {
    const vm = await this.client.getVm(id);
    if (!vm) throw new OperationalError('raff-vm-missing', `Raff has no VM ${id}.`);
    progress?.(`Power-cycling VM ${id} (${vm.status}).`);
    await this.client.power(id, vm.status === 'passive' ? 'start' : 'reboot-hard');
    await this.waitVm(id, ['active'], progress);
  }

  private async findSnapshot(id: string, name: string): Promise<RaffSnapshot | undefined> {
    const all = (await this.client.listSnapshots(id)).filter((s) => s.name === name);
    // two of one name only after a create whose answer was lost: prefer one that is ready
    return all.find((s) => info(s).status === 'ready') ?? all[0];
  }

  /** Polls the list until the snapshot reads ready; fails on failed or at the timeout. */
  private async waitReady(id: string, name: string, progress?: ProgressFn): Promise<RestorePointInfo> {
    const deadline = this.o.now() + this.o.snapshotTimeoutMs;
    let last = 'not listed';
    for (let attempt = 0; ; attempt++) {
      const s = await this.findSnapshot(id, name);
      const r = s ? readSnapshot(s) : undefined;
      if (s && r?.state === 'ready') return info(s);
      if (s && r?.state === 'failed')
        throw new OperationalError(
          'raff-snapshot-failed',
          `Raff reports snapshot ${name} of VM ${id} as failed.`,
          'Delete it in the Raff console and run again.',
        );
      last = !s ? 'not listed' : r?.state === 'unknown' ? `status "${r.value}"` : 'still capturing';
      if (this.o.now() >= deadline)
        throw new OperationalError(
          'raff-snapshot-timeout',
          `Snapshot ${name} of VM ${id} was not ready after ${Math.round(this.o.snapshotTimeoutMs / 1000)}s (last seen: ${last}).`,
          'Check it in the Raff console; raise snapshotTimeoutSeconds for large disks.',
        );
      await this.pause(attempt, `Snapshot ${name}: ${last}`, progress);
    }
  }

  /**
   * Stops or starts the VM as needed and waits until it is `passive` / `active`. A VM between states
   * (booting, finalizing, or busy after a restore) is first waited on until it settles.
   */
  private async powerTo(id: string, want: 'passive' | 'active', progress?: ProgressFn): Promise<void> {
    const status = await this.waitVm(id, ['active', 'passive'], progress);
    if (status !== want) {
      progress?.(`${want === 'passive' ? 'Stopping' : 'Starting'} VM ${id}.`);
      await this.client.power(id, want === 'passive' ? 'stop' : 'start');
    }
    await this.waitVm(id, [want], progress);
  }

  /** Polls the VM until its status is one of `want`; returns that status. */
  private async waitVm(id: string, want: string[], progress?: ProgressFn): Promise<string> {
    const deadline = this.o.now() + this.o.powerTimeoutMs;
    const wanted = want.join(' or ');
    for (let attempt = 0; ; attempt++) {
      const status = (await this.client.getVm(id))?.status ?? 'gone';
      if (want.includes(status)) return status;
      if (status === 'failure' || status === 'gone')
        throw new OperationalError('raff-vm-failed', `VM ${id} is ${status} while waiting for ${wanted}.`);
      if (this.o.now() >= deadline)
        throw new OperationalError(
          'raff-power-timeout',
          `VM ${id} was not ${wanted} after ${Math.round(this.o.powerTimeoutMs / 1000)}s (last status: ${status}).`,
          'Check the VM in the Raff console; raise powerTimeoutSeconds if it is slow.',
        );
      await this.pause(attempt, `VM ${id} is ${status}, waiting for ${wanted}`, progress);
    }
  }

  private async pause(attempt: number, what: string, progress?: ProgressFn): Promise<void> {
    const ms = Math.min(this.o.pollMs * 2 ** attempt, this.o.maxPollMs);
    progress?.(`${what}; checking again in ${(ms / 1000).toFixed(1)}s.`);
    await this.o.sleep(ms);
  }
}
