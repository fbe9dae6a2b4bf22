import fs from 'node:fs';
import path from 'node:path';
import { descendants, markerOf, signalAll } from './host-process.js';
import type { LabPaths } from './lab-paths.js';
import { runCommand, sleep } from './run-command.js';

/** Processes started by this lab (supervisors and nspawn carry the marker), found by scanning /proc. */
function labProcesses(paths: LabPaths): number[] {
  const prefix = paths.hosts + path.sep;
  return fs
    .readdirSync('/proc')
    .filter((d) => /^\d+$/.test(d))
    .map(Number)
    .filter((pid) => markerOf(pid)?.startsWith(prefix));
}

/** Mount points under the state dir in this mount namespace, deepest first. */
function labMounts(paths: LabPaths): string[] {
  return fs
    .readFileSync('/proc/self/mountinfo', 'utf8')
    .split('\n')
    .map((l) => l.split(' ')[4]?.replace(/\\040/g, ' '))
    .filter((m): m is string => !!m && m.startsWith(paths.stateDir + path.sep))
    .reverse();
}

/**
 * What a crashed run can leave behind: kills every lab process and its descendants, unmounts lab mounts
 * (lazily as a last resort), and removes nspawn's per-machine directories under /run.
 */
export async function cleanupLeftovers(paths: LabPaths, names: readonly string[]): Promise<void> {
  for (let round = 0; round < 3; round++) {
    const roots = labProcesses(paths);
    if (roots.length === 0) break;
    signalAll([...roots, ...roots.flatMap((r) => descendants(r))], 'SIGKILL');
    await sleep(300);
  }
  for (const m of labMounts(paths)) {
    const r = await runCommand(['umount', m], { check: false });
    if (r.code !== 0) await runCommand(['umount', '-l', m], { check: false });
  }
  for (const n of names) {
    for (const d of ['propagate', 'unix-export']) {
      fs.rmSync(path.join('/run/systemd/nspawn', d, n), { recursive: true, force: true });
    }
  }
}
