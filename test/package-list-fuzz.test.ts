import fs from 'node:fs';
import path from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseApkInstalled } from '../src/core/inventory/parse-apk-installed.js';
import { DpkgQueryParser } from '../src/core/inventory/parse-dpkg-query.js';
import { parseDpkgStatus } from '../src/core/inventory/parse-dpkg-status.js';
import { parseRpmQuery } from '../src/core/inventory/parse-rpm-query.js';
import { renderDpkgQuery } from '../src/core/inventory/package-formats.js';
import { FIXTURES } from './helpers/cli.js';

const RUNS = Number(process.env.FUZZ_RUNS ?? 300);
const status = fs.readFileSync(path.join(FIXTURES, 'status/minbase-bookworm.status'), 'utf8');
const query = renderDpkgQuery(parseDpkgStatus(status, 'minbase').packages);

/** A real input with a few bytes flipped, cut, repeated or spliced in. */
const mutated = (real: string) =>
  fc
    .array(
      fc.tuple(
        fc.nat({ max: real.length }),
        fc.oneof(
          fc.string({ maxLength: 6 }),
          fc.constantFrom('\n', '\t', '\0', ':', ' ', '\u00ff', '\ud800'),
        ),
        fc.nat({ max: 40 }),
      ),
      { maxLength: 12 },
    )
    .map((edits) => {
      let s = real;
      for (const [at, text, cut] of edits)
        s = s.slice(0, at % (s.length + 1)) + text + s.slice((at % (s.length + 1)) + cut);
      return s;
    });

/** Whatever it is given, a package-list parser returns packages and issues: it never throws. */
function neverThrows(parse: (s: string) => { packages: unknown[]; issues: unknown[] }, real: string) {
  fc.assert(
    fc.property(
      fc.oneof(fc.string({ maxLength: 400 }), fc.string({ unit: 'binary', maxLength: 400 }), mutated(real)),
      (s) => {
        const r = parse(s);
        expect(Array.isArray(r.packages)).toBe(true);
        expect(Array.isArray(r.issues)).toBe(true);
      },
    ),
    { numRuns: RUNS },
  );
}

describe('package-list parsers on arbitrary and mutated real input (fuzz)', () => {
  it('dpkg status', () => neverThrows((s) => parseDpkgStatus(s, 'fuzz'), status));
  it('dpkg-query, through one fleet parser (its line table shared by every input)', () => {
    const parser = new DpkgQueryParser();
    neverThrows((s) => parser.parse(s, 'fuzz'), query);
    neverThrows((s) => parser.parse(new TextEncoder().encode(s), 'fuzz'), query);
  });
  it('rpm -qa', () =>
    neverThrows(
      (s) => parseRpmQuery(s, 'fuzz'),
      'bash\t(none)\t5.1.8\t6.el9\tx86_64\tbash-5.1.8-6.el9.src.rpm\n',
    ));
  it('apk installed', () =>
    neverThrows((s) => parseApkInstalled(s, 'fuzz'), 'P:musl\nV:1.2.5-r0\nA:x86_64\no:musl\n\n'));
});
