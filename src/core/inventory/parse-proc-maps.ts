import type { ParseIssue } from './host-state.js';
import { excerpt, IssueLog, lineProblem } from './parse-dpkg-status.js';

/** One file mapping of a `/proc/PID/maps` line. */
export interface MappedFile {
  path: string;
  inode: number;
  deleted: boolean;
}

/** Files mapped from a deleted or replaced file, per process id. */
export interface DeletedMappings {
  byPid: Map<number, string[]>;
  issues: ParseIssue[];
}

const MAPS_LINE =
  /^[0-9a-f]+-[0-9a-f]+\s+[r-][w-][xs-][ps-]\s+[0-9a-f]+\s+[0-9a-f]+:[0-9a-f]+\s+(\d+)\s+(\S.*)$/;
const DELETED = ' (deleted)';

/**
 * Mappings that never mean a stale process, as needrestart's `blacklist_mappings` lists them: shared
 * memory and device files, SysV segments, anonymous memfds, aio rings, and temporary files (JIT code,
 * JNA stubs) that programs delete on purpose while they keep using them.
 */
const IGNORED: readonly RegExp[] = [
  /^\/(?:SYSV[0-9a-f]{8}|drm|dev\/)/,
  /^\/\[aio\]/,
  /^\/memfd:/,
  /^\/(?:tmp|var\/tmp|run|var\/run|var\/lock)\//,
  /\/orcexec\.[\w]+$/,
  /\/\.cache\/ksycoca5_/,
  /^\/(?:anon_hugepage|dmabuf:|i915)/,
];

/** Parses one `/proc/PID/maps` line; undefined for anonymous memory and pseudo entries like `[heap]`. */
export function parseMapsLine(line: string): MappedFile | undefined {
  const m = MAPS_LINE.exec(line);
  if (!m) return undefined;
  const inode = Number(m[1]);
  let path = m[2]!;
  if (inode === 0 || !path.startsWith('/')) return undefined;
  const deleted = path.endsWith(DELETED);
  if (deleted) path = path.slice(0, -DELETED.length);
  return { path, inode, deleted };
}

/** True when a mapping of `path` never counts as stale code (see {@link IGNORED}). */
export function isIgnoredMapping(path: string): boolean {
  return IGNORED.some((r) => r.test(path));
}

/**
 * Reads `grep -F ' (deleted)' /proc/[0-9]*\/maps` output (`/proc/PID/maps:LINE`) into the deleted files
 * each process still maps, as needrestart does: the file was replaced (an upgrade unlinks the old
 * inode) or removed, and the process runs its old code until restarted. Ignored paths (see
 * {@link isIgnoredMapping}) are skipped; malformed lines become issues; this function never throws.
 */
export function parseDeletedMappings(text: string, source = 'maps'): DeletedMappings {
  const log = new IssueLog(source);
  const byPid = new Map<number, string[]>();
  text.split('\n').forEach((line, i) => {
    if (line.trim() === '') return;
    const problem = lineProblem(line);
    if (problem) return log.add(problem, i + 1);
    const m = /^\/proc\/(\d{1,10})\/maps:(.*)$/.exec(line);
    const mapped = m ? parseMapsLine(m[2]!) : undefined;
    if (!m || !mapped) return log.add(`not a /proc/PID/maps line: ${excerpt(line)}; skipped`, i + 1);
    if (!mapped.deleted || isIgnoredMapping(mapped.path)) return;
    const pid = Number(m[1]);
    const files = byPid.get(pid) ?? [];
    if (!files.includes(mapped.path)) files.push(mapped.path);
    byPid.set(pid, files);
  });
  return { byPid, issues: log.finish() };
}
