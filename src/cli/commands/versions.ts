import type { Command } from 'commander';
import { UserError } from '../../core/errors.js';
import { compareParsed, parseVersion, resolveVersionScheme } from '../../core/versions/compare-versions.js';
import type { VersionScheme } from '../../core/versions/ecosystem.js';
import type { CliContext } from '../context.js';
import { filterStdin, lineFilter, type LineResult } from '../line-filter.js';

const COMPARE_HELP = `
Input: one "A<TAB>B" pair per line on stdin. Output: one line per non-blank input line, in order:
  -1  A is older than B       0  the distro treats them as equal       1  A is newer than B
A line with an invalid version prints "error: line N: ..." in its place and the other lines still run;
blank lines print nothing but still count. Exit code 0 when every line was valid, 2 otherwise.

Orderings (exactly as the distro's own tool):
  debian  dpkg: [epoch:]upstream[-revision]; "~" sorts before everything, even the end (1.0~rc1 < 1.0)
  rpm     rpm 4.18: [epoch:]version[-release]; "~" pre-release, "^" post-release snapshot (1.0 < 1.0^git1)
  alpine  apk-tools: _alpha < _beta < _pre < _rc < (none) < _cvs < _svn < _git < _hg < _p; then -rN
Aliases: dpkg, ubuntu -> debian; rhel, rocky, alma, fedora, centos -> rpm; apk -> alpine.

Examples:
  $ printf '1.22.1-9+deb12u9\\t1.22.1-9+deb12u11\\n2:1.0\\t1:9.9\\n' | patchwise versions compare --ecosystem debian
  -1
  1
  $ printf '3.0.7-27.el9\\t1:3.0.7-24.el9\\n' | patchwise versions compare -e rocky
  -1
  $ printf 'a:b\\t1.0\\n' | patchwise versions compare -e debian; echo "exit $?"
  error: line 1: invalid debian version "a:b": epoch in version is not number
  exit 2
Docs: docs/versions.md`;

/** Registers `patchwise versions`. */
export function register(program: Command, _ctx: CliContext): void {
  const versions = program
    .command('versions')
    .description('Compare package versions exactly as dpkg, rpm or apk does.');
  versions
    .command('compare')
    .description('Compare "A<TAB>B" version pairs read from stdin; print -1, 0 or 1 per line.')
    .requiredOption('-e, --ecosystem <name>', 'version ordering: debian, rpm or alpine (or an alias)')
    .addHelpText('after', COMPARE_HELP)
    .action(async (opts: { ecosystem: string }) => {
      const scheme = resolveVersionScheme(opts.ecosystem);
      if (!scheme) {
        throw new UserError(
          'unknown-ecosystem',
          `The ecosystem "${opts.ecosystem}" has no version ordering in patchwise.`,
          'Use --ecosystem debian, rpm or alpine (aliases: dpkg, ubuntu, rhel, rocky, alma, fedora, centos, apk).',
        );
      }
      await compareStream(scheme);
    });
}

/** Compares the pair on one line; `lineNo` is 1-based. */
export function compareLine(scheme: VersionScheme, raw: string, lineNo: number): LineResult {
  const line = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
  if (line.trim() === '') return undefined;
  const tab = line.indexOf('\t');
  if (tab < 0 || line.indexOf('\t', tab + 1) >= 0) {
    return { out: `error: line ${lineNo}: expected two versions separated by one tab`, ok: false };
  }
  const a = line.slice(0, tab);
  const b = line.slice(tab + 1);
  const pa = parseVersion(scheme, a);
  if (typeof pa === 'string') return invalid(scheme, lineNo, a, pa);
  const pb = parseVersion(scheme, b);
  if (typeof pb === 'string') return invalid(scheme, lineNo, b, pb);
  return { out: String(compareParsed(scheme, pa, pb)), ok: true };
}

function invalid(scheme: VersionScheme, lineNo: number, v: string, why: string): LineResult {
  return { out: `error: line ${lineNo}: invalid ${scheme} version ${JSON.stringify(v)}: ${why}`, ok: false };
}

/** Streams stdin to stdout a chunk at a time, so a million lines never sit in memory at once. */
async function compareStream(scheme: VersionScheme): Promise<void> {
  const filter = lineFilter((l, n) => compareLine(scheme, l, n));
  await filterStdin(filter, 'comparing versions', 'Reading "A<TAB>B" lines from stdin (end with Ctrl-D).');
  const { state } = filter;
  if (state.bad > 0) {
    throw new UserError(
      'invalid-version',
      `${state.bad} of ${state.lines} input lines had an invalid version or layout; see the error lines in the output.`,
      `Each line must be "A<TAB>B" with two valid ${scheme} versions.`,
    );
  }
}
