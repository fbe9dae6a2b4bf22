import { UserError } from '../errors.js';
import type { OsFamily } from '../inventory/os-families.js';
import { FAMILY_INFO } from '../inventory/os-families.js';
import { validateVersion } from '../versions/compare-versions.js';

/**
 * Package names each family's tools accept, begun by a letter or digit so that no name can ever be read
 * as an option (`-o...`, `--allow-...`): Debian policy names (lower case, at least two characters, no
 * architecture qualifier), rpm names, apk names.
 */
export const PACKAGE_NAME_RULES: Readonly<Record<OsFamily, { pattern: RegExp; rule: string }>> = {
  debian: {
    pattern: /^[a-z0-9][a-z0-9+.-]{1,127}$/,
    rule: 'lower-case letters, digits and + . -, begun by a letter or digit, at least two characters',
  },
  rhel: {
    pattern: /^[A-Za-z0-9_+][A-Za-z0-9._+-]{0,199}$/,
    rule: 'letters, digits and _ + . -, begun by a letter, digit, _ or +',
  },
  alpine: {
    pattern: /^[A-Za-z0-9][A-Za-z0-9._+-]{0,127}$/,
    rule: 'letters, digits and _ + . -, begun by a letter or digit',
  },
};

/**
 * Versions as they may reach a command line: the family's characters, begun by a digit (an epoch is
 * digits too), and then valid under the family's version grammar.
 */
const VERSION_CHARS: Readonly<Record<OsFamily, RegExp>> = {
  debian: /^[0-9][A-Za-z0-9.+~:-]{0,127}$/,
  rhel: /^[0-9][A-Za-z0-9._+~^:-]{0,127}$/,
  alpine: /^[0-9][A-Za-z0-9._-]{0,127}$/,
};

/** Throws a UserError unless every name is a valid `family` package name. */
export function assertPackageNames(family: OsFamily, names: readonly string[]): void {
  const { pattern, rule } = PACKAGE_NAME_RULES[family];
  for (const name of names) {
    if (!pattern.test(name)) {
      throw new UserError(
        'bad-package-name',
        `${JSON.stringify(name)} is not a ${family} package name, so patchwise will not pass it to the package manager.`,
        `A package name is ${rule}.`,
      );
    }
  }
}

/** Throws a UserError unless every target has a valid name and a valid `family` version. */
export function assertPackageTargets(
  family: OsFamily,
  targets: readonly { name: string; version: string }[],
): void {
  assertPackageNames(
    family,
    targets.map((t) => t.name),
  );
  for (const { name, version } of targets) {
    const problem = VERSION_CHARS[family].test(version)
      ? validateVersion(FAMILY_INFO[family].scheme, version)
      : 'it must begin with a digit and hold only the version characters of its family';
    if (problem !== undefined) {
      throw new UserError(
        'bad-package-version',
        `${JSON.stringify(version)} is not a valid ${family} version for ${name}: ${problem}.`,
        'Give the full version the package manager shows, epoch included (e.g. 1:2.3-4).',
      );
    }
  }
}
