import type { HostState, ParseIssue, StaleProcess } from './host-state.js';
import { parseBootInfo, type BootInfoOptions } from './parse-boot-info.js';
import { parseCgroupUnit } from './parse-cgroup-unit.js';
import { parseComms, parseListeningSockets } from './parse-listening-sockets.js';
import { parseDeletedMappings } from './parse-proc-maps.js';

/** What the extras probe adds to a host's state. */
export type HostExtras = Pick<
  HostState,
  'kernel' | 'bootTime' | 'uptimeSeconds' | 'reboot' | 'staleProcesses' | 'listening'
> & { issues: ParseIssue[] };

/** A section marker: random, so nothing a host prints can start a section. */
const MARKER = /^@@[A-Za-z0-9-]{6,64}@@$/;

/**
 * Splits probe output into its sections: a line `MARKER NAME` starts section NAME. The blank line the
 * script prints before each marker is dropped. Text before the first marker is ignored.
 */
export function splitSections(text: string, marker: string): Map<string, string> {
  if (!MARKER.test(marker)) throw new TypeError('invalid section marker');
  const sections = new Map<string, string>();
  let name: string | undefined;
  let lines: string[] = [];
  const flush = () => {
    if (name === undefined) return;
    if (lines.length > 0 && lines[lines.length - 1] === '') lines.pop();
    sections.set(name, lines.join('\n'));
  };
  for (const line of text.split('\n')) {
    if (line.startsWith(`${marker} `)) {
      flush();
      name = line.slice(marker.length + 1);
      lines = [];
    } else if (name !== undefined) lines.push(line);
  }
  flush();
  return sections;
}

/**
 * Reads the extras probe output (see the adapter's HOST_EXTRAS_SCRIPT) into kernel, boot, reboot,
 * stale-process and listening-socket state. A probe cut short (no `end` section) is an issue, and
 * whatever sections arrived are still read. Never throws on host output.
 */
export function parseHostExtras(text: string, marker: string, opts: BootInfoOptions = {}): HostExtras {
  const sec = splitSections(text, marker);
  const get = (k: string) => sec.get(k);
  const boot = parseBootInfo(
    {
      uname: get('uname'),
      now: get('now'),
      stat: get('stat'),
      pid1Stat: get('pid1'),
      clkTck: get('clk'),
      uptime: get('uptime'),
      boot: get('boot'),
      modules: get('modules'),
      rebootFlag: get('reboot'),
      rebootPkgs: get('rebootpkgs'),
    },
    opts,
  );
  const comms = parseComms(get('comm') ?? '');
  const stale = staleProcesses(get('deleted') ?? '', get('cgroup') ?? '', comms);
  const root = (get('uid') ?? '').trim() === '0';
  const sockets = parseListeningSockets({
    tcp: get('tcp'),
    tcp6: get('tcp6'),
    udp: get('udp'),
    udp6: get('udp6'),
    fds: get('fds'),
    comms,
    ownedOnly: root,
  });
  const issues = [...boot.issues, ...stale.issues, ...sockets.issues];
  if (!sec.has('end'))
    issues.push({ source: 'extras', message: 'probe output ended early; some sections missing' });
  if (!root && sec.has('uid')) {
    issues.push({
      source: 'extras',
      message: "not run as root: other users' processes and sockets are not visible",
    });
  }
  const out: HostExtras = { staleProcesses: stale.processes, listening: sockets.sockets, issues };
  if (boot.kernel) out.kernel = boot.kernel;
  if (boot.bootTime) out.bootTime = boot.bootTime;
  if (boot.uptimeSeconds !== undefined) out.uptimeSeconds = boot.uptimeSeconds;
  if (boot.reboot) out.reboot = boot.reboot;
  return out;
}

/** Stale processes: pid, command, systemd unit (when the process is in one), and the deleted files. */
function staleProcesses(deleted: string, cgroups: string, comms: Map<number, string>) {
  const maps = parseDeletedMappings(deleted);
  const cgroupLines = new Map<number, string[]>();
  for (const line of cgroups.split('\n')) {
    const m = /^(\d{1,10})\t(.*)$/.exec(line);
    if (!m) continue;
    const list = cgroupLines.get(Number(m[1])) ?? [];
    list.push(m[2]!);
    cgroupLines.set(Number(m[1]), list);
  }
  const processes: StaleProcess[] = [...maps.byPid.entries()]
    .sort(([a], [b]) => a - b)
    .map(([pid, files]) => {
      const p: StaleProcess = { pid, command: comms.get(pid) ?? '?', files: files.slice(0, 50) };
      const unit = parseCgroupUnit((cgroupLines.get(pid) ?? []).join('\n'));
      if (unit) p.unit = unit;
      return p;
    });
  return { processes, issues: maps.issues };
}
