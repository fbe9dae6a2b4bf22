import { validateVersion } from './compare-versions.js';
import type { VersionScheme } from './ecosystem.js';

/**
 * Package-name grammars per distro. Every one of them starts with a letter or digit, so a name can never be
 * read as a command-line option.
 * - debian: Debian policy 5.6.1, lower case letters, digits, `+`, `-`, `.`; at least two characters.
 * - rpm: rpmbuild's Name rules, ASCII letters, digits and `._+-` (its macro characters `%{}` are expanded
 *   before a package exists); first character a letter, digit or `_`; no `..`.
 * - alpine: apk-tools' package-name characters, ASCII letters, digits and `+-._`; first a letter or digit.
 */
const NAME: Readonly<Record<VersionScheme, RegExp>> = {
  debian: /^[a-z0-9][a-z0-9+.-]+$/,
  rpm: /^[A-Za-z0-9_][A-Za-z0-9._+-]*$/,
  alpine: /^[A-Za-z0-9][A-Za-z0-9+._-]*$/,
};

/** Longest name accepted: dpkg keeps a file per package named after it, and a file name has 255 bytes at most. */
const MAX_NAME = 255;

/**
 * True when `name` is a valid binary or source package name under the distro's grammar. Guard every name
 * with it before it reaches a command line (an architecture qualifier such as `:amd64` is not part of a name).
 */
export function isValidPackageName(scheme: VersionScheme, name: string): boolean {
  if (name.length === 0 || name.length > MAX_NAME) return false;
  if (scheme === 'rpm' && name.includes('..')) return false;
  return NAME[scheme].test(name);
}

/**
 * True when `v` is a valid version string under the distro's grammar, exactly as written (dpkg ignores
 * blanks around a version; a command line must not carry them). Guard every version with it before it
 * reaches a command line.
 */
export function isValidVersionString(scheme: VersionScheme, v: string): boolean {
  if (v.length === 0 || v.trim() !== v) return false;
  return validateVersion(scheme, v) === undefined;
}
