import { spawn, spawnSync, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { createInterface } from 'node:readline';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compareDpkgVersions, parseDpkgVersion } from '../src/core/versions/dpkg-version.js';
import { compareRpmVersions } from '../src/core/versions/rpm-version.js';
import { commandSucceeds, installHint, requirePrerequisite } from './helpers/require-prerequisite.js';

/**
 * Property tests against the real tools: dpkg's own Perl module (Dpkg::Version, from libdpkg-perl, installed
 * with dpkg-dev), `dpkg --compare-versions`, and rpm's Lua `rpm.vercmp`. One oracle
 * process answers every case over a pipe, so thousands of cases take seconds.
 */

/** A long-lived line-in, line-out child process: send one request line, await one answer line. */
class LineOracle {
  private readonly child: ChildProcessWithoutNullStreams;
  private readonly waiting: ((line: string) => void)[] = [];
  constructor(cmd: string, args: string[]) {
    this.child = spawn(cmd, args, { stdio: 'pipe' });
    createInterface({ input: this.child.stdout }).on('line', (l) => this.waiting.shift()?.(l));
  }
  ask(line: string): Promise<string> {
    return new Promise((resolve) => {
      this.waiting.push(resolve);
      this.child.stdin.write(line + '\n');
    });
  }
  close(): void {
    this.child.stdin.end();
  }
}

// Pieces that make versions collide often enough to exercise every rule: tildes, epochs, letters, digits
// with leading zeros, `+`, `.`, and revisions. Digit runs stay short because Dpkg::Version compares
// numbers as Perl doubles (the C code compares any length exactly; the unit tests cover long runs).
const digits = fc.stringMatching(/^0{0,2}[0-9]{1,3}$/);
const piece = fc.oneof(
  { weight: 4, arbitrary: digits },
  { weight: 3, arbitrary: fc.constantFrom('.', '+', '~', '~~', '-', ':') },
  {
    weight: 3,
    arbitrary: fc.constantFrom('a', 'b', 'Z', 'rc', 'beta', 'dfsg', 'deb', 'ubuntu', 'git', 'nmu'),
  },
);
const tail = fc.array(piece, { maxLength: 4 }).map((p) => p.join(''));
const revision = fc.option(fc.stringMatching(/^[0-9a-zA-Z.+~]{1,6}$/), { nil: undefined });
const epoch = fc.option(fc.constantFrom('0', '1', '2', '10', '01'), { nil: undefined });

/** Builds a valid dpkg version: `:` in the upstream part needs an epoch, `-` needs a revision. */
function dpkgVersion(head: string, rest: string, e?: string, r?: string): string {
  const upstream = head + rest;
  const ep = e ?? (upstream.includes(':') ? '0' : undefined);
  const rev = r ?? (upstream.includes('-') ? '1' : undefined);
  return `${ep === undefined ? '' : ep + ':'}${upstream}${rev === undefined ? '' : '-' + rev}`;
}

/** Two versions that share a prefix, so the comparison is decided deep inside them. */
const dpkgPair = fc
  .record({
    head: digits,
    common: tail,
    ta: tail,
    tb: tail,
    ea: epoch,
    eb: epoch,
    sameEpoch: fc.boolean(),
    ra: revision,
    rb: revision,
  })
  .map((p) => [
    dpkgVersion(p.head, p.common + p.ta, p.ea, p.ra),
    dpkgVersion(p.head, p.common + p.tb, p.sameEpoch ? p.ea : p.eb, p.rb),
  ]);

describe('dpkg ordering against dpkg itself', () => {
  requirePrerequisite(
    "dpkg's Perl module Dpkg::Version",
    () => commandSucceeds('perl', ['-MDpkg::Version', '-e', '1']),
    installHint('libdpkg-perl'),
  );
  let perl: LineOracle;
  beforeAll(() => {
    perl = new LineOracle('perl', [
      '-MDpkg::Version=version_compare',
      '-ne',
      '$|=1; chomp; my ($a, $b) = split /\\t/, $_, 2; my $r = eval { version_compare($a, $b) }; print defined $r ? "$r\\n" : "E\\n";',
    ]);
  });
  afterAll(() => perl.close());

  it('agrees with Dpkg::Version on 5,000 generated pairs', async () => {
    await fc.assert(
      fc.asyncProperty(dpkgPair, async ([a, b]) => {
        expect(typeof parseDpkgVersion(a!)).toBe('object');
        expect(typeof parseDpkgVersion(b!)).toBe('object');
        const expected = await perl.ask(`${a}\t${b}`);
        expect(String(compareDpkgVersions(a!, b!))).toBe(expected);
      }),
      { numRuns: 5000 },
    );
  });

  it('agrees with `dpkg --compare-versions` on 300 generated pairs', () => {
    fc.assert(
      fc.property(dpkgPair, ([a, b]) => {
        const ours = compareDpkgVersions(a!, b!);
        const op = ours < 0 ? 'lt' : ours > 0 ? 'gt' : 'eq';
        expect(spawnSync('dpkg', ['--compare-versions', a!, op, b!]).status).toBe(0);
      }),
      { numRuns: 300 },
    );
  });

  it('accepts exactly what `dpkg --compare-versions` accepts without a warning (300 strings)', () => {
    const anyString = fc
      .stringMatching(/^[0-9a-zA-Z.+~:\- _!@#\t]{0,10}$/) // dpkg reads an empty version as "not installed" and a leading "-" as an option: both outside this check.
      .filter((s) => s !== '' && !s.startsWith('-'));
    fc.assert(
      fc.property(anyString, (v) => {
        const r = spawnSync('dpkg', ['--compare-versions', v, 'eq', v], { encoding: 'utf8' });
        const dpkgAccepts = r.status === 0 && r.stderr === '';
        expect(typeof parseDpkgVersion(v) === 'object').toBe(dpkgAccepts);
      }),
      { numRuns: 300 },
    );
  });
});

describe('rpm ordering against rpm itself', () => {
  requirePrerequisite('rpm', () => commandSucceeds('rpm', ['--version']), installHint('rpm'));
  let rpm: LineOracle;
  beforeAll(() => {
    const lua =
      'for line in io.lines() do local a, b = line:match("^(.-)\\t(.*)$"); ' +
      'io.write(tostring(rpm.vercmp(a, b)), "\\n"); io.stdout:flush() end';
    rpm = new LineOracle('rpm', ['--eval', `%{lua: ${lua}}`]);
  });
  afterAll(() => rpm.close());

  const part = fc
    .array(
      fc.oneof(
        fc.stringMatching(/^0?[0-9]{1,3}$/),
        fc.constantFrom('.', '_', '+', '~', '^', 'a', 'b', 'rc', 'el', 'fc', 'git'),
      ),
      { minLength: 1, maxLength: 6 },
    )
    .map((p) => p.join(''))
    .filter((s) => /[A-Za-z0-9~^]/.test(s) && !s.includes('..'));
  const evr = fc
    .tuple(
      fc.option(fc.constantFrom('0', '1', '2'), { nil: undefined }),
      part,
      fc.option(part, { nil: undefined }),
    )
    .map(([e, v, r]) => `${e === undefined ? '' : e + ':'}${v}${r === undefined ? '' : '-' + r}`);
  const pair = fc
    .oneof(
      fc.tuple(evr, evr),
      fc.tuple(evr, part).map(([a, t]) => [a, a + t] as [string, string]),
    )
    .filter(([a, b]) => !a.includes('..') && !b.includes('..'));

  it('agrees with rpm.vercmp (rpmverCmp on parsed EVRs) on 3,000 generated pairs', async () => {
    await fc.assert(
      fc.asyncProperty(pair, async ([a, b]) => {
        const expected = await rpm.ask(`${a}\t${b}`);
        expect(String(compareRpmVersions(a, b))).toBe(expected);
      }),
      { numRuns: 3000 },
    );
  });
});
