import type { ListeningSocket, ParseIssue } from './host-state.js';
import { excerpt, IssueLog } from './parse-dpkg-status.js';

/** The raw text of the socket probes, as the host printed it. */
export interface SocketProbes {
  tcp?: string;
  tcp6?: string;
  udp?: string;
  udp6?: string;
  /** `ls -l /proc/[0-9]*\/fd | grep -E '^/proc/|socket:'`: which process holds which socket inode */
  fds?: string;
  /** `PID<TAB>comm` lines */
  comms?: Map<number, string>;
  /**
   * Drop sockets no visible process holds. Right when the probe ran as root in its own PID namespace
   * (a lab host sees every socket of the machine but only its own processes); wrong for kernel sockets.
   */
  ownedOnly?: boolean;
}

/** Listening sockets and the problems seen reading them. */
export interface ListeningSocketsResult {
  sockets: ListeningSocket[];
  issues: ParseIssue[];
}

const TCP_LISTEN = '0A';
const UDP_UNCONNECTED = '07';
const ROW =
  /^\s*\d+:\s+([0-9A-F]{8}|[0-9A-F]{32}):([0-9A-F]{4})\s+[0-9A-F]+:[0-9A-F]{4}\s+([0-9A-F]{2})\s+\S+\s+\S+\s+\S+\s+\d+\s+\d+\s+(\d+)/;

/**
 * Reads `/proc/net/{tcp,tcp6,udp,udp6}` into the sockets a host listens on (TCP in LISTEN, UDP bound and
 * unconnected, as `ss -tulpn` shows them), naming the process that holds each when the fd listing shows
 * it. One entry per protocol, address and port (pre-forked workers share one socket). `/proc` is read
 * rather than `ss` because a minimal Debian has no iproute2. Never throws on its input.
 */
export function parseListeningSockets(p: SocketProbes, source = 'sockets'): ListeningSocketsResult {
  const log = new IssueLog(source);
  const owners = socketOwners(p.fds ?? '');
  const byKey = new Map<string, ListeningSocket>();
  const tables: [string | undefined, 'tcp' | 'udp', string][] = [
    [p.tcp, 'tcp', TCP_LISTEN],
    [p.tcp6, 'tcp', TCP_LISTEN],
    [p.udp, 'udp', UDP_UNCONNECTED],
    [p.udp6, 'udp', UDP_UNCONNECTED],
  ];
  for (const [text, protocol, state] of tables) {
    for (const row of procNetRows(text ?? '', log)) {
      if (row.state !== state) continue;
      const pids = owners.get(row.inode) ?? [];
      if (p.ownedOnly && pids.length === 0) continue;
      const key = `${protocol} ${row.address} ${row.port}`;
      const names = pids.map((pid) => p.comms?.get(pid)).filter((n): n is string => Boolean(n));
      const socket = byKey.get(key) ?? { protocol, address: row.address, port: row.port };
      const all = new Set([...(socket.process ? socket.process.split(',') : []), ...names]);
      if (all.size > 0) socket.process = [...all].sort().join(',');
      byKey.set(key, socket);
    }
  }
  const sockets = [...byKey.values()].sort(
    (a, b) => a.protocol.localeCompare(b.protocol) || a.port - b.port || a.address.localeCompare(b.address),
  );
  return { sockets, issues: log.finish() };
}

interface ProcNetRow {
  address: string;
  port: number;
  state: string;
  inode: number;
}

function procNetRows(text: string, log: IssueLog): ProcNetRow[] {
  const rows: ProcNetRow[] = [];
  text.split('\n').forEach((line, i) => {
    if (line.trim() === '' || /^\s*sl\s/.test(line)) return;
    const m = ROW.exec(line);
    if (!m) return log.add(`not a /proc/net row: ${excerpt(line)}; skipped`, i + 1);
    rows.push({
      address: decodeAddress(m[1]!),
      port: parseInt(m[2]!, 16),
      state: m[3]!,
      inode: Number(m[4]),
    });
  });
  return rows;
}

/** `/proc/net` writes each 32-bit word of an address in host (little-endian) byte order. */
export function decodeAddress(hex: string): string {
  const bytes: number[] = [];
  for (let w = 0; w < hex.length; w += 8) {
    const word = hex.slice(w, w + 8);
    for (let b = 6; b >= 0; b -= 2) bytes.push(parseInt(word.slice(b, b + 2), 16));
  }
  if (bytes.length === 4) return bytes.join('.');
  const groups: string[] = [];
  for (let i = 0; i < 16; i += 2) groups.push(((bytes[i]! << 8) | bytes[i + 1]!).toString(16));
  return compressIpv6(groups);
}

function compressIpv6(groups: string[]): string {
  if (groups.slice(0, 5).every((g) => g === '0') && groups[5] === 'ffff') {
    const v4 = [groups[6]!, groups[7]!].flatMap((g) => [parseInt(g, 16) >> 8, parseInt(g, 16) & 255]);
    return `::ffff:${v4.join('.')}`;
  }
  let best = { start: -1, len: 0 };
  for (let i = 0; i < 8;) {
    let j = i;
    while (j < 8 && groups[j] === '0') j++;
    if (j - i > best.len && j - i > 1) best = { start: i, len: j - i };
    i = j === i ? i + 1 : j;
  }
  if (best.start < 0) return groups.join(':');
  const head = groups.slice(0, best.start).join(':');
  const tail = groups.slice(best.start + best.len).join(':');
  return `${head}::${tail}`;
}

/** Socket inode → the pids that hold it, from `ls -l /proc/PID/fd` output with its `/proc/PID/fd:` headers. */
export function socketOwners(text: string): Map<number, number[]> {
  const owners = new Map<number, number[]>();
  let pid: number | undefined;
  for (const line of text.split('\n')) {
    const header = /^\/proc\/(\d{1,10})\/fd:$/.exec(line);
    if (header) {
      pid = Number(header[1]);
      continue;
    }
    const m = / -> socket:\[(\d{1,20})\]$/.exec(line);
    if (!m || pid === undefined) continue;
    const inode = Number(m[1]);
    const list = owners.get(inode) ?? [];
    if (!list.includes(pid)) list.push(pid);
    owners.set(inode, list);
  }
  return owners;
}

/** Parses `PID<TAB>comm` lines; comm is at most 15 bytes and may hold any printable text. */
export function parseComms(text: string): Map<number, string> {
  const comms = new Map<number, string>();
  for (const line of text.split('\n')) {
    const m = /^(\d{1,10})\t([^\t]{1,64})$/.exec(line);
    if (m && !hasControl(m[2]!)) comms.set(Number(m[1]), m[2]!);
  }
  return comms;
}

function hasControl(s: string): boolean {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x20 || c === 0x7f) return true;
  }
  return false;
}
