import { compareVersions, validateVersion } from '../versions/compare-versions.js';
import type { PackageChange, VersionsByName } from './parse-apt-output.js';

/** Where `apk policy` says a version comes from when it is the installed one, not a repository. */
const INSTALLED_DB = 'lib/apk/db/installed';

/**
 * The candidate of each of `names` from `apk policy NAME...` output: the newest version that at least
 * one repository offers (`NAME policy:`, then `  VERSION:` lines, each followed by its sources indented
 * further). A version offered only by the installed database is no candidate.
 */
export function parseApkPolicy(text: string, names: readonly string[]): VersionsByName {
  const best = new Map<string, string>();
  let pkg: string | undefined;
  let version: string | undefined;
  for (const line of text.split('\n')) {
    const head = /^(\S+) policy:$/.exec(line);
    const ver = /^ {2}(\S+):$/.exec(line);
    const src = /^ {4}(\S.*)$/.exec(line);
    if (head) [pkg, version] = [head[1], undefined];
    else if (ver) version = validateVersion('alpine', ver[1]!) === undefined ? ver[1] : undefined;
    else if (src && pkg !== undefined && version !== undefined && src[1]!.trim() !== INSTALLED_DB) {
      const prev = best.get(pkg);
      if (prev === undefined || compareVersions('alpine', version, prev) > 0) best.set(pkg, version);
    }
  }
  return Object.fromEntries(names.map((n) => [n, best.get(n)]));
}

/**
 * The steps of apk's (simulated) output: `(1/3) Upgrading busybox (1.36.1-r15 -> 1.36.1-r20)`,
 * `(2/3) Installing libfoo (1.0-r0)`, `(3/3) Purging bar (2.0-r1)`.
 */
export function parseApkSteps(text: string): { changes: PackageChange[]; removed: string[] } {
  const changes: PackageChange[] = [];
  const removed: string[] = [];
  for (const line of text.split('\n')) {
    const m =
      /^\(\d+\/\d+\) (Upgrading|Downgrading|Replacing|Installing|Reinstalling|Purging|Removing) (\S+) \((?:(\S+) -> )?(\S+)\)/.exec(
        line.trim(),
      );
    if (!m) continue;
    if (m[1] === 'Purging' || m[1] === 'Removing') removed.push(m[2]!);
    else changes.push({ name: m[2]!, to: m[4]!, ...(m[3] !== undefined ? { from: m[3] } : {}) });
  }
  return { changes, removed };
}
