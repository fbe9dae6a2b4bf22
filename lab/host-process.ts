import { spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { OperationalError } from '../src/core/errors.js';
import type { LabHost } from './host-layer.js';
import type { HostPaths, LabPaths } from './lab-paths.js';
import { type CommandResult, runCommand, sleep } from './run-command.js';

const SUPERVISOR = path.join(path.dirname(fileURLToPath(import.meta.url)), 'host-supervisor.sh');
/** Marks the supervisor (and nspawn under it) in its environment, so `down` finds them after a crash. */
export const MARKER_ENV = 'PATCHWISE_LAB_HOST';

interface ProcInfo {
  pid: number;
  ppid: number;
  startTicks: number;
}

function readProc(pid: number): ProcInfo | undefined {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command name, which may hold spaces, start at field 3 (state).
    const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return { pid, ppid: Number(rest[1]), startTicks: Number(rest[19]) };
  } catch {
    return undefined;
  }
}

function allProcs(): ProcInfo[] {
  return fs
    .readdirSync('/proc')
    .filter((d) => /^\d+$/.test(d))
    .map((d) => readProc(Number(d)))
    .filter((p): p is ProcInfo => p !== undefined);
}

/** Every process under `root` (not included), in no particular order. */
export function descendants(root: number): number[] {
  const procs = allProcs();
  const out: number[] = [];
  const queue = [root];
  while (queue.length) {
    const cur = queue.pop()!;
    for (const p of procs.filter((x) => x.ppid === cur)) {
      out.push(p.pid);
      queue.push(p.pid);
    }
  }
  return out;
}

/** The supervisor's pid when it is alive and still ours (its environment carries the marker). */
export function supervisorPid(p: HostPaths): number | undefined {
  if (!fs.existsSync(p.pid)) return undefined;
  const pid = Number(fs.readFileSync(p.pid, 'utf8').trim());
  if (!pid) return undefined;
  return markerOf(pid) === p.dir ? pid : undefined;
}

/** The host directory a lab process was started for, from the marker in its environment. */
export function markerOf(pid: number): string | undefined {
  try {
    const env = fs.readFileSync(`/proc/${pid}/environ`, 'utf8').split('\0');
    return env.find((e) => e.startsWith(`${MARKER_ENV}=`))?.slice(MARKER_ENV.length + 1);
  } catch {
    return undefined;
  }
}

/** The host's PID 1 as the machine sees it: the descendant whose innermost pid is 1. */
export function initPid(p: HostPaths): number | undefined {
  const sup = supervisorPid(p);
  if (!sup) return undefined;
  return descendants(sup).find((pid) => {
    try {
      const line = fs.readFileSync(`/proc/${pid}/status`, 'utf8').match(/^NSpid:\s+(.*)$/m)?.[1];
      const ids = line?.trim().split(/\s+/) ?? [];
      return ids.length > 1 && ids[ids.length - 1] === '1';
    } catch {
      return false;
    }
  });
}

/** USER_HZ: the unit of /proc/PID/stat start times on Linux (what `getconf CLK_TCK` prints). */
const CLK_TCK = 100;

/** Boot time (Unix seconds) by the lab's convention: kernel btime + PID 1's start time / CLK_TCK. */
export function bootTimeOf(pid: number): number | undefined {
  const info = readProc(pid);
  const btime = Number(fs.readFileSync('/proc/stat', 'utf8').match(/^btime (\d+)$/m)?.[1]);
  if (!info || !btime) return undefined;
  // Whole seconds, rounded, as the scan collector (parse-boot-info) reports it.
  return Math.round(btime + info.startTicks / CLK_TCK);
}

/** Starts the host's supervisor, detached, and records its pid. */
export function startSupervisor(paths: LabPaths, host: LabHost, lower: string): number {
  const p = paths.host(host.name);
  const log = fs.openSync(p.console, 'a');
  const child = spawn(
    'unshare',
    [
      '--mount',
      '--propagation',
      'private',
      'bash',
      SUPERVISOR,
      host.name,
      p.dir,
      lower,
      paths.repo,
      paths.aptArchives,
    ],
    { detached: true, stdio: ['ignore', log, log], env: { PATH: process.env.PATH, [MARKER_ENV]: p.dir } },
  );
  fs.closeSync(log);
  child.unref();
  if (!child.pid)
    throw new OperationalError('lab-start', `Cannot start ${host.name}: no supervisor process.`);
  fs.writeFileSync(p.pid, `${child.pid}\n`);
  return child.pid;
}

/** True when something accepts TCP connections on address:port within `ms`. */
export function tcpOpen(address: string, port: number, ms = 500): Promise<boolean> {
  return new Promise((resolve) => {
    const s = net.connect({ host: address, port, timeout: ms });
    const done = (ok: boolean) => (s.destroy(), resolve(ok));
    s.once('connect', () => done(true));
    s.once('timeout', () => done(false));
    s.once('error', () => done(false));
  });
}

/** Waits until `check` is true, polling every 100 ms, or throws after `ms`. */
export async function waitFor(
  what: string,
  check: () => boolean | Promise<boolean>,
  ms: number,
): Promise<void> {
  const end = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > end)
      throw new OperationalError('lab-timeout', `Timed out after ${ms / 1000} s waiting for ${what}.`);
    await sleep(100);
  }
}

/** Sends `signal` to each pid, ignoring those already gone. */
export function signalAll(pids: number[], signal: NodeJS.Signals): void {
  for (const pid of pids) {
    try {
      process.kill(pid, signal);
    } catch {
      /* already gone */
    }
  }
}

/**
 * Stops a host like a clean power-off: SIGTERM to the supervisor makes nspawn shut systemd down; after
 * `ms` every process left of the host is killed.
 */
export async function stopSupervisor(p: HostPaths, ms = 60_000): Promise<void> {
  const sup = supervisorPid(p);
  if (!sup) return;
  signalAll([sup], 'SIGTERM');
  try {
    await waitFor(`${path.basename(p.dir)} to shut down`, () => !isAlive(sup), ms);
  } catch {
    signalAll([sup, ...descendants(sup)], 'SIGKILL');
    await waitFor(`${path.basename(p.dir)} to die`, () => !isAlive(sup), 10_000);
  }
}

/** True when `pid` is a live process (zombies count as gone). */
export function isAlive(pid: number): boolean {
  const s = readState(pid);
  return s !== undefined && s !== 'Z' && s !== 'X';
}

function readState(pid: number): string | undefined {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
  } catch {
    return undefined;
  }
}

/** The environment commands run with inside a host, as a root login shell would have it. */
const HOST_ENV = {
  PATH: '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin',
  HOME: '/root',
  LANG: 'C.UTF-8',
  DEBIAN_FRONTEND: 'noninteractive',
};

/** Runs `argv` inside the running host (all its namespaces, its root) without ssh. */
export async function execInHost(
  p: HostPaths,
  argv: readonly string[],
  opts: { input?: string; timeoutMs?: number; check?: boolean } = {},
): Promise<CommandResult> {
  const pid = initPid(p);
  if (!pid)
    throw new OperationalError(
      'lab-host-down',
      `${path.basename(p.dir)} is not running.`,
      'Start it with `npm run lab -- start HOST`.',
    );
  const ns = ['nsenter', `--target=${pid}`, '--mount', '--uts', '--ipc', '--pid', '--root', '--wd=/', '--'];
  return runCommand([...ns, 'env', '-i', ...Object.entries(HOST_ENV).map(([k, v]) => `${k}=${v}`), ...argv], {
    ...opts,
    env: HOST_ENV,
  });
}
