/** Versions by package name; undefined means none (not installed, or no candidate). */
export type VersionsByName = Record<string, string | undefined>;

/** One package a simulation or an apply changes: its version before (absent: newly installed) and after. */
export interface PackageChange {
  name: string;
  from?: string;
  to: string;
}

/** What `apt-get -s` says it would do. */
export interface AptSimulation {
  changes: PackageChange[];
  /** packages it would remove (`Remv` lines) */
  removed: string[];
}

/**
 * The `Candidate:` of each package in `apt-cache policy NAME...` output (run with LC_ALL=C.UTF-8):
 * `(none)` and packages apt does not know (it prints nothing for them) are undefined. Only `names` are
 * reported, each present as a key.
 */
export function parseAptCachePolicy(text: string, names: readonly string[]): VersionsByName {
  const found = new Map<string, string | undefined>();
  let current: string | undefined;
  for (const line of text.split('\n')) {
    const header = /^(\S+):$/.exec(line);
    if (header) {
      current = header[1]!;
      continue;
    }
    const cand = /^ {2}Candidate: (\S+)\s*$/.exec(line);
    if (cand && current !== undefined && !found.has(current)) {
      found.set(current, cand[1] === '(none)' ? undefined : cand[1]);
    }
  }
  return Object.fromEntries(names.map((n) => [n, found.get(n)]));
}

/**
 * The versions the repositories offer for each package in `apt-cache policy NAME...` output: the
 * version table's entries (five-space indent, `***` marking the installed one) that some repository
 * serves, newest first as apt prints them; a version only `/var/lib/dpkg/status` lists (installed, no
 * longer served) is left out. Packages apt does not know get an empty list.
 */
export function parseAptVersionTable(text: string, names: readonly string[]): Record<string, string[]> {
  const found = new Map<string, string[]>();
  let current: string[] | undefined;
  let version: string | undefined;
  for (const line of text.split('\n')) {
    const header = /^(\S+):$/.exec(line);
    if (header) {
      current = found.has(header[1]!) ? undefined : [];
      if (current) found.set(header[1]!, current);
      version = undefined;
      continue;
    }
    const entry = /^ {5}(?:\*\*\* )?(\S+) -?\d+$/.exec(line) ?? /^ \*\*\* (\S+) -?\d+$/.exec(line);
    if (entry) {
      version = entry[1]!;
      continue;
    }
    const source = /^ {8}-?\d+ (.+)$/.exec(line);
    if (
      source &&
      current &&
      version &&
      !source[1]!.includes('/var/lib/dpkg/status') &&
      !current.includes(version)
    )
      current.push(version);
  }
  return Object.fromEntries(names.map((n) => [n, found.get(n) ?? []]));
}

/**
 * The `Inst` and `Remv` lines of `apt-get -s` output: `Inst perl [5.36.0-7+deb12u2] (5.36.0-7+deb12u4
 * Debian-Security:12/oldstable-security [amd64]) []` is an upgrade (the bracketed old version is absent
 * for a new install). `Conf` lines repeat the `Inst` ones and are skipped.
 */
export function parseAptSimulation(text: string): AptSimulation {
  const changes: PackageChange[] = [];
  const removed: string[] = [];
  for (const line of text.split('\n')) {
    const inst = /^Inst (\S+) (?:\[([^\]\s]+)\] )?\((\S+)[ )]/.exec(line);
    if (inst) {
      const change: PackageChange = { name: inst[1]!, to: inst[3]! };
      if (inst[2] !== undefined) change.from = inst[2];
      changes.push(change);
      continue;
    }
    const remv = /^Remv (\S+)/.exec(line);
    if (remv) removed.push(remv[1]!);
  }
  return { changes, removed };
}

/** The `dpkg-query -W -f` format {@link parseDpkgVersions} reads. */
export const DPKG_VERSIONS_FORMAT = '${Package}\\t${db:Status-Abbrev}\\t${Version}\\n';

/**
 * The installed version of each of `names` from `dpkg-query -W -f DPKG_VERSIONS_FORMAT` output. A
 * package counts as installed when its files are on disk: status `i` (installed), `U` (unpacked), `F`
 * (half-configured), `W`/`t` (awaiting triggers); `n` (not installed), `c` (config files only) and `H`
 * (half-installed) are undefined. Names dpkg does not know are undefined.
 */
export function parseDpkgVersions(text: string, names: readonly string[]): VersionsByName {
  const found = new Map<string, string>();
  for (const line of text.split('\n')) {
    const m = /^([^\t]+)\t[a-zA-Z]([a-zA-Z])[ a-zA-Z]?\t(\S+)$/.exec(line);
    if (m && 'iUFWt'.includes(m[2]!) && !found.has(m[1]!)) found.set(m[1]!, m[3]!);
  }
  return Object.fromEntries(names.map((n) => [n, found.get(n)]));
}

/** One line of `df -Pm`: the mount point and its free MiB. */
export interface DfEntry {
  mount: string;
  availableMiB: number;
}

/**
 * `df -Pm PATH...` output (POSIX format, MiB blocks): `Filesystem 1048576-blocks Used Available Capacity
 * Mounted on`, one line per path. Lines that do not fit are skipped.
 */
export function parseDfPm(text: string): DfEntry[] {
  const out: DfEntry[] = [];
  for (const line of text.split('\n').slice(1)) {
    const m = /^\S+\s+\d+\s+\d+\s+(\d+)\s+\d+%\s+(\/.*)$/.exec(line.trimEnd());
    if (m) out.push({ mount: m[2]!, availableMiB: Number(m[1]) });
  }
  return out;
}

/**
 * What a real `apt-get install` unpacked, from its `Unpacking perl (5.36.0-7+deb12u4) over
 * (5.36.0-7+deb12u2) ...` lines (the architecture qualifier of `libc6:amd64` dropped).
 */
export function parseUnpacked(stdout: string): PackageChange[] {
  const out: PackageChange[] = [];
  for (const line of stdout.split('\n')) {
    const m = /^Unpacking (\S+?)(?::[a-z0-9-]+)? \((\S+)\)(?: over \((\S+)\))?/.exec(line);
    if (m) out.push({ name: m[1]!, to: m[2]!, ...(m[3] !== undefined ? { from: m[3] } : {}) });
  }
  return out;
}
