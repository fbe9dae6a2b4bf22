import { createHash } from 'node:crypto';

/**
 * Restore points (snapshots) through a host's provider: one interface for the lab, the user's own
 * commands and Raff. Names are chosen by the caller and are deterministic per (run, host)
 * (`restorePointName`), so a run resumed after a crash finds the restore point it made by asking for it
 * by name instead of making a second one.
 */
export interface RestorePointInfo {
  /** the name patchwise gave it */
  name: string;
  /** the provider's own id for it (Raff: a number; lab and command: the name) */
  id: string;
  /** `ready` when it can be restored from; `pending` while the provider is still taking it */
  status: 'ready' | 'pending' | 'failed';
  createdAt?: string;
  /** size in bytes, when the provider says */
  bytes?: number;
}

/** Told before each wait and at each state change, for progress output (never given secrets). */
export type ProgressFn = (message: string) => void;

export interface RestorePointProvider {
  /** `lab`, `command`, `raff` */
  readonly kind: string;
  /**
   * Takes a restore point of VM `id` named `name` and returns once the provider shows it `ready`
   * (verified to exist; polls with backoff up to its timeout). When one of that name exists already it
   * is returned as it is (idempotent: a resumed run calls this again).
   * @throws OperationalError when it cannot be taken or is not ready in time.
   */
  create(id: string, name: string, progress?: ProgressFn): Promise<RestorePointInfo>;
  /** The restore point of that name, or undefined (asked on resume). */
  find(id: string, name: string): Promise<RestorePointInfo | undefined>;
  /**
   * Brings VM `id` back to the restore point and returns once the VM is running again (the provider
   * stops it first where it must). SSH reachability is the caller's to check.
   */
  restore(id: string, name: string, progress?: ProgressFn): Promise<void>;
  /** Deletes the restore point (retention); no error when it is already gone. */
  delete(id: string, name: string): Promise<void>;
  /** patchwise's restore points of VM `id` (names starting `patchwise-`), oldest first. */
  list(id: string): Promise<RestorePointInfo[]>;
  /**
   * When the provider keeps backups: the time of the VM's newest completed backup, or null when it has
   * none. Absent when the provider has no backups (policy's "backup verified" then needs a snapshot).
   */
  latestBackup?(id: string): Promise<Date | null>;
  /** Hard power-cycle (off, on) when a reboot over SSH does not come back; absent when unsupported. */
  powerCycle?(id: string, progress?: ProgressFn): Promise<void>;
}

/**
 * Restore point names: `patchwise-<run id>-<host>`, safe for every provider (letters, digits, dot, dash,
 * underscore; at most 63 characters: a longer one keeps its start and ends in a hash of the whole).
 */
export function restorePointName(runId: string, host: string): string {
  const raw = `patchwise-${runId}-${host}`.replace(/[^A-Za-z0-9._-]/g, '-');
  if (raw.length <= 63) return raw;
  return `${raw.slice(0, 50)}-${createHash('sha256').update(raw).digest('hex').slice(0, 12)}`;
}
