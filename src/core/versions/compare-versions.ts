import { compareParsedApk, parseApkVersion, type ApkVersion } from './apk-version.js';
import { compareParsedDpkg, parseDpkgVersion, type DpkgVersion } from './dpkg-version.js';
import type { VersionScheme } from './ecosystem.js';
import { compareParsedRpm, parseRpmVersion, type RpmVersion } from './rpm-version.js';

/** The parsed form of a version, per scheme. */
export interface ParsedVersions {
  debian: DpkgVersion;
  rpm: RpmVersion;
  alpine: ApkVersion;
}

/** A version parsed once by {@link parseVersion}, to compare many times with {@link compareParsed}. */
export type ParsedVersion<S extends VersionScheme = VersionScheme> = ParsedVersions[S];

/**
 * Parses a version under its distro's rules, or returns an error message saying what is wrong with it.
 * Parse each version once and compare the results with {@link compareParsed} on hot paths.
 */
export function parseVersion<S extends VersionScheme>(scheme: S, v: string): ParsedVersion<S> | string {
  switch (scheme) {
    case 'debian':
      return parseDpkgVersion(v) as ParsedVersion<S> | string;
    case 'rpm':
      return parseRpmVersion(v) as ParsedVersion<S> | string;
    case 'alpine':
      return parseApkVersion(v) as ParsedVersion<S> | string;
    default:
      return `unknown version scheme ${JSON.stringify(scheme)}`;
  }
}

/**
 * Compares two versions parsed by {@link parseVersion} under the same scheme: -1 when `a` is older, 0 when
 * the distro treats them as equal, 1 when `a` is newer. Allocation-free for debian and rpm.
 */
export function compareParsed<S extends VersionScheme>(
  scheme: S,
  a: ParsedVersion<S>,
  b: ParsedVersion<S>,
): -1 | 0 | 1 {
  switch (scheme) {
    case 'debian': {
      const r = compareParsedDpkg(a as DpkgVersion, b as DpkgVersion);
      return r < 0 ? -1 : r > 0 ? 1 : 0;
    }
    case 'rpm':
      return compareParsedRpm(a as RpmVersion, b as RpmVersion);
    case 'alpine':
      return compareParsedApk(a as ApkVersion, b as ApkVersion);
    default:
      throw new Error(`unknown version scheme ${JSON.stringify(scheme)}`);
  }
}

/** Returns an error message when `v` is not a valid version under `scheme`, else undefined. */
export function validateVersion(scheme: VersionScheme, v: string): string | undefined {
  const p = parseVersion(scheme, v);
  return typeof p === 'string' ? p : undefined;
}

/**
 * Compares two version strings under a distro's ordering: -1, 0 or 1. Throws an Error naming the version
 * when either is invalid; call {@link validateVersion} first on untrusted input.
 */
export function compareVersions(scheme: VersionScheme, a: string, b: string): -1 | 0 | 1 {
  const pa = parseVersion(scheme, a);
  if (typeof pa === 'string') throw new Error(`invalid ${scheme} version ${JSON.stringify(a)}: ${pa}`);
  const pb = parseVersion(scheme, b);
  if (typeof pb === 'string') throw new Error(`invalid ${scheme} version ${JSON.stringify(b)}: ${pb}`);
  return compareParsed(scheme, pa, pb);
}

/** Names users may give for a version scheme: the scheme itself, its package tool, or a distro that uses it. */
export const VERSION_SCHEME_ALIASES: Readonly<Record<string, VersionScheme>> = {
  debian: 'debian',
  dpkg: 'debian',
  ubuntu: 'debian',
  rpm: 'rpm',
  rhel: 'rpm',
  rocky: 'rpm',
  alma: 'rpm',
  almalinux: 'rpm',
  fedora: 'rpm',
  centos: 'rpm',
  alpine: 'alpine',
  apk: 'alpine',
};

/** Resolves a scheme name or alias (case-insensitive) to its scheme, or undefined when unknown. */
export function resolveVersionScheme(name: string): VersionScheme | undefined {
  const key = name.trim().toLowerCase();
  return Object.hasOwn(VERSION_SCHEME_ALIASES, key) ? VERSION_SCHEME_ALIASES[key] : undefined;
}
