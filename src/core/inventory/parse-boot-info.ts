import type { HostState, ParseIssue } from './host-state.js';
import { excerpt, IssueLog, lineProblem } from './parse-dpkg-status.js';

/** The raw text of each boot-related probe, exactly as the host printed it. */
export interface BootProbes {
  /** `uname -r` */
  uname?: string;
  /** `date +%s`: the host's clock, so uptime does not depend on the controller's clock. */
  now?: string;
  /** `/proc/stat` (only the `btime` line is read) */
  stat?: string;
  /** `/proc/1/stat` */
  pid1Stat?: string;
  /** `getconf CLK_TCK` */
  clkTck?: string;
  /** `/proc/uptime`, used when PID 1's start time is unreadable */
  uptime?: string;
  /** `ls -1 /boot` */
  boot?: string;
  /** `ls -1 /lib/modules` */
  modules?: string;
  /** `yes` when `/run/reboot-required` exists, `no` otherwise */
  rebootFlag?: string;
  /** `/run/reboot-required.pkgs` */
  rebootPkgs?: string;
}

/** How to read the probes; the collector of each distro family knows which signals it has. */
export interface BootInfoOptions {
  /**
   * Count a running kernel that is no longer installed as a pending reboot. Alpine has no reboot flag,
   * so its collector turns this on; Debian and RHEL have better signals (and containers run a kernel
   * they never installed).
   */
  missingKernelMeansReboot?: boolean;
}

/** What the boot probes say: running and installed kernels, boot time, uptime, pending reboot. */
export type BootInfo = Pick<HostState, 'kernel' | 'bootTime' | 'uptimeSeconds' | 'reboot'> & {
  issues: ParseIssue[];
};

const KERNEL = /^[A-Za-z0-9._+~-]{1,128}$/;
const PACKAGE = /^[A-Za-z0-9][A-Za-z0-9.+_:~-]{0,255}$/;
const INT = /^\d{1,15}$/;

/**
 * Reads the boot probes. Boot time is the start time of PID 1 (`btime` + field 22 of `/proc/1/stat` /
 * `CLK_TCK`): on a VM that is the kernel boot, in a container or lab namespace it is the last restart of
 * its init. Uptime is the host's own clock minus that boot time. A pending reboot is
 * `/run/reboot-required` (Debian, Ubuntu), or, with `missingKernelMeansReboot`, a running kernel that is
 * no longer installed. Bad or missing values become issues; this function never throws on its input.
 */
export function parseBootInfo(p: BootProbes, opts: BootInfoOptions = {}, source = 'boot'): BootInfo {
  const log = new IssueLog(source);
  const out: BootInfo = { issues: [] };
  const running = oneLine(p.uname, KERNEL, 'uname -r', log);
  const installed = installedKernels(p.boot ?? '', p.modules ?? '');
  if (running !== undefined || installed.length > 0) {
    out.kernel = { ...(running ? { running } : {}), installed };
  }
  const bootEpoch = bootEpochSeconds(p, log);
  const now = oneLine(p.now, INT, 'date +%s', log);
  if (bootEpoch !== undefined) {
    out.bootTime = new Date(Math.round(bootEpoch) * 1000).toISOString();
    if (now !== undefined) out.uptimeSeconds = Math.max(0, Math.round(Number(now) - bootEpoch));
  } else {
    const up = parseProcUptime(p.uptime ?? '');
    if (up !== undefined) out.uptimeSeconds = up;
  }
  out.reboot = rebootState(p, opts.missingKernelMeansReboot ? running : undefined, installed, log);
  out.issues = log.finish();
  return out;
}

function oneLine(text: string | undefined, grammar: RegExp, what: string, log: IssueLog): string | undefined {
  const line = (text ?? '').trim();
  if (line === '') return undefined;
  if (!grammar.test(line)) {
    log.add(`${what} printed ${excerpt(line)}, not what it should; ignored`);
    return undefined;
  }
  return line;
}

/** Seconds since the epoch at which PID 1 started, or undefined. */
function bootEpochSeconds(p: BootProbes, log: IssueLog): number | undefined {
  const btime = parseBtime(p.stat ?? '');
  if (btime === undefined) {
    if (p.stat?.trim()) log.add('no btime line in /proc/stat');
    return undefined;
  }
  const ticks = parseProcStatStartTime(p.pid1Stat ?? '');
  const hz = Number((p.clkTck ?? '').trim() || '100');
  if (ticks === undefined || !Number.isInteger(hz) || hz <= 0) return btime;
  return btime + ticks / hz;
}

/** The `btime` (boot time, seconds since the epoch) of `/proc/stat`. */
export function parseBtime(procStat: string): number | undefined {
  const m = /^btime (\d{1,15})$/m.exec(procStat);
  return m ? Number(m[1]) : undefined;
}

/**
 * Field 22 (`starttime`, clock ticks after boot) of a `/proc/PID/stat` line. The command name (field 2)
 * is in parentheses and may itself hold spaces and parentheses, so fields are counted after the last `)`.
 */
export function parseProcStatStartTime(stat: string): number | undefined {
  const close = stat.lastIndexOf(')');
  if (close < 0) return undefined;
  const rest = stat
    .slice(close + 1)
    .trim()
    .split(/\s+/);
  // rest[0] is field 3 (state), so field 22 is rest[19].
  const v = rest[19];
  return v !== undefined && INT.test(v) ? Number(v) : undefined;
}

/** The first number of `/proc/uptime`, rounded to seconds. */
export function parseProcUptime(text: string): number | undefined {
  const m = /^(\d{1,12})(?:\.\d+)?\s/.exec(text.trim() + ' ');
  return m ? Number(m[1]) : undefined;
}

/**
 * Installed kernel versions: `vmlinuz-VERSION` / `vmlinux-VERSION` in `/boot` (Debian, Ubuntu, RHEL),
 * else the directories of `/lib/modules` (Alpine names its image `vmlinuz-lts`, without a version).
 */
export function installedKernels(bootListing: string, modulesListing: string): string[] {
  const fromBoot = bootListing
    .split('\n')
    .map((l) => /^vmlinu[xz]-(.+)$/.exec(l.trim())?.[1])
    .filter((v): v is string => v !== undefined && /\d/.test(v) && KERNEL.test(v) && !v.endsWith('.hmac'));
  const list = fromBoot.length > 0 ? fromBoot : modulesListing.split('\n').map((l) => l.trim());
  return [...new Set(list.filter((v) => KERNEL.test(v) && /\d/.test(v)))].sort();
}

function rebootState(
  p: BootProbes,
  /** the running kernel, when its absence from `installed` means a reboot */
  running: string | undefined,
  installed: string[],
  log: IssueLog,
): { required: boolean; packages: string[] } {
  const packages: string[] = [];
  (p.rebootPkgs ?? '').split('\n').forEach((raw, i) => {
    const line = raw.trim();
    if (line === '') return;
    const problem = lineProblem(line);
    if (problem || !PACKAGE.test(line)) {
      log.add(problem ?? `not a package name in reboot-required.pkgs: ${excerpt(line)}; skipped`, i + 1);
      return;
    }
    if (!packages.includes(line)) packages.push(line);
  });
  let required = (p.rebootFlag ?? '').trim() === 'yes';
  if (running !== undefined && installed.length > 0 && !installed.includes(running)) {
    required = true;
    if (!packages.includes('kernel')) packages.push('kernel');
  }
  return { required, packages };
}
