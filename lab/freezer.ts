import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { OperationalError } from '../src/core/errors.js';
import { descendants } from './host-process.js';
import { sleep } from './run-command.js';

/** The cgroup v1 freezer hierarchy; the lab's groups live under `patchwise-lab/`. */
export const FREEZER_ROOT = process.env.PATCHWISE_LAB_FREEZER ?? '/sys/fs/cgroup/freezer';
const LAB_GROUPS = path.join(FREEZER_ROOT, 'patchwise-lab');
/** How long processes may take to reach FROZEN (a task in uninterruptible sleep delays it). */
const FREEZE_TIMEOUT_MS = 10_000;

/**
 * The freezer group of one host: `patchwise-lab/<hash of the state dir>-<host>`, so two labs on the machine
 * never share one, and a lab's leftovers are found by the prefix.
 */
function labTag(stateDir: string): string {
  return createHash('sha256').update(stateDir).digest('hex').slice(0, 8);
}
export function freezerGroup(stateDir: string, host: string): string {
  return path.join(LAB_GROUPS, `${labTag(stateDir)}-${host}`);
}

function readPids(file: string): Set<number> {
  try {
    return new Set(fs.readFileSync(file, 'utf8').split('\n').filter(Boolean).map(Number));
  } catch {
    return new Set();
  }
}

function pidNamespace(pid: number): string | undefined {
  try {
    return fs.readlinkSync(`/proc/${pid}/ns/pid`);
  } catch {
    return undefined;
  }
}

/**
 * Every process of the host: `root` (its supervisor) and its descendants, plus processes entered into
 * the host's PID namespace from outside (`nsenter`, as `lab exec` does), which are not descendants but
 * can write to its disk too.
 */
export function hostProcesses(root: number): number[] {
  const own = [root, ...descendants(root)];
  const machine = pidNamespace(process.pid);
  const hostNs = new Set(own.map(pidNamespace).filter((n) => n !== undefined && n !== machine));
  if (hostNs.size === 0) return own;
  const ownSet = new Set(own);
  const entered = fs
    .readdirSync('/proc')
    .filter((d) => /^\d+$/.test(d))
    .map(Number)
    .filter((pid) => !ownSet.has(pid) && hostNs.has(pidNamespace(pid)));
  return [...own, ...entered];
}

/** Moves a process (all its threads) into a group; false when it is gone. */
function attach(group: string, pid: number): boolean {
  try {
    fs.writeFileSync(path.join(group, 'cgroup.procs'), `${pid}\n`);
    return true;
  } catch {
    return false; // exited meanwhile
  }
}

export function freezerState(group: string): string | undefined {
  try {
    return fs.readFileSync(path.join(group, 'freezer.state'), 'utf8').trim();
  } catch {
    return undefined;
  }
}

async function setState(group: string, want: 'FROZEN' | 'THAWED', ms: number): Promise<void> {
  const end = Date.now() + ms;
  for (;;) {
    // Writing FROZEN again re-triggers the freeze of tasks attached since (a FREEZING group retries).
    fs.writeFileSync(path.join(group, 'freezer.state'), `${want}\n`);
    if (freezerState(group) === want) return;
    if (Date.now() > end)
      throw new OperationalError(
        'lab-freeze',
        `${path.basename(group)} did not become ${want} within ${ms / 1000} s (it reads ${freezerState(group)}).`,
      );
    await sleep(5);
  }
}

/**
 * Freezes every process under `root` (the host's supervisor, nspawn and everything inside the host)
 * with the cgroup v1 freezer, then runs `fn`, then thaws them, also when `fn` or the freeze fails;
 * throws `lab-freeze-lost` when the group was no longer frozen when `fn` ended.
 * Processes forked while the group was filled (a child of a process not yet attached stays outside) are
 * attached and frozen in further rounds until a round finds none.
 */
export async function withFrozen<T>(
  stateDir: string,
  host: string,
  root: number,
  fn: () => Promise<T>,
): Promise<T> {
  const group = freezerGroup(stateDir, host);
  if (!fs.existsSync(path.join(FREEZER_ROOT, 'cgroup.procs')))
    throw new OperationalError(
      'lab-freezer',
      `No cgroup v1 freezer at ${FREEZER_ROOT}: live snapshots need it.`,
      'Take a stopped snapshot instead (`snapshot --stopped`).',
    );
  fs.mkdirSync(group, { recursive: true });
  try {
    for (let round = 0; ; round++) {
      const inside = readPids(path.join(group, 'cgroup.procs'));
      const missing = hostProcesses(root).filter((pid) => !inside.has(pid));
      const added = missing.filter((pid) => attach(group, pid));
      await setState(group, 'FROZEN', FREEZE_TIMEOUT_MS);
      if (added.length === 0) break;
      if (round > 20)
        throw new OperationalError('lab-freeze', `${host} kept forking new processes while being frozen.`);
    }
    const result = await fn();
    // Someone thawed the group meanwhile (`lab up`/`down`, another process): the copy is not consistent.
    if (freezerState(group) !== 'FROZEN')
      throw new OperationalError(
        'lab-freeze-lost',
        `${host} was thawed by something else during the copy (it reads ${freezerState(group)}).`,
        'Take the snapshot again.',
      );
    return result;
  } finally {
    await release(group);
  }
}

/** Thaws a group, moves its processes back to the root group and removes it (errors are ignored). */
async function release(group: string): Promise<void> {
  if (!fs.existsSync(group)) return;
  try {
    await setState(group, 'THAWED', FREEZE_TIMEOUT_MS);
  } catch {
    /* reported by the state check below */
  }
  for (let i = 0; i < 3; i++) {
    for (const pid of readPids(path.join(group, 'cgroup.procs'))) attach(FREEZER_ROOT, pid);
    try {
      fs.rmdirSync(group);
      return;
    } catch {
      await sleep(20); // a process forked into it meanwhile
    }
  }
}

/**
 * Thaws and removes the freezer groups a crashed run may have left frozen: the one of `host`, or every
 * one of the lab at `stateDir` when no host is given.
 */
export async function thawLeftovers(stateDir: string, host?: string): Promise<void> {
  if (host !== undefined) return release(freezerGroup(stateDir, host));
  if (!fs.existsSync(LAB_GROUPS)) return;
  const tag = `${labTag(stateDir)}-`;
  for (const name of fs.readdirSync(LAB_GROUPS)) {
    if (name.startsWith(tag)) await release(path.join(LAB_GROUPS, name));
  }
}
