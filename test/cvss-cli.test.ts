import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { cvss3VectorScores, cvssBaseScore } from '../src/core/intel/cvss-score.js';
import { FIXTURES, runCli } from './helpers/cli.js';

/**
 * Every vector of test/fixtures/cvss (RedHatProductSecurity/cvss 3.6 test vectors, LGPL-3.0+ data, generated
 * with the official calculators): v3 files have `vector base temporal environmental`, v4 files `vector score`.
 */
const DIR = path.join(FIXTURES, 'cvss');
const FILES = fs
  .readdirSync(DIR)
  .filter((f) => f.endsWith('.tsv'))
  .sort();

function rows(file: string): string[][] {
  const lines = fs.readFileSync(path.join(DIR, file), 'utf8').trim().split('\n');
  return lines.slice(1).map((l) => l.split('\t'));
}

/** Scores every row in-process; returns how many matched and the first mismatches. */
function scoreFile(file: string): { passed: number; total: number; failures: string[] } {
  const all = rows(file);
  const failures: string[] = [];
  for (const [vector, ...expected] of all) {
    const got =
      expected.length === 3
        ? cvss3VectorScores(vector!)
        : ((r) => (typeof r === 'string' ? r : [r.score]))(cvssBaseScore(vector!));
    const text =
      typeof got === 'string'
        ? got
        : Array.isArray(got)
          ? got.map((x) => x.toFixed(1))
          : [got.base, got.temporal, got.environmental].map((x) => x.toFixed(1));
    if (JSON.stringify(text) !== JSON.stringify(expected))
      failures.push(`${vector}: expected ${expected.join(' ')}, got ${String(text)}`);
  }
  return { passed: all.length - failures.length, total: all.length, failures };
}

describe('CVSS scores against the shared test vectors', () => {
  it('finds the six vector files', () => {
    expect(FILES).toHaveLength(6);
  });

  it.each(FILES)('%s: every vector scores exactly', (file) => {
    const { passed, total, failures } = scoreFile(file);
    console.info(`cvss ${file}: ${passed}/${total} exact`);
    expect(failures.slice(0, 10)).toEqual([]);
    expect(total).toBeGreaterThan(0);
  });
});

describe('patchwise cvss score (built CLI)', () => {
  it('streams every shared vector to its base score, line for line', () => {
    const all = FILES.flatMap(rows);
    const r = runCli(['cvss', 'score'], { input: all.map((c) => c[0]).join('\n') + '\n' });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const out = r.stdout.split('\n').slice(0, -1);
    const passed = out.filter((line, i) => line === all[i]![1]).length;
    console.info(`cvss CLI: ${passed}/${all.length} exact`);
    expect(out).toEqual(all.map((c) => c[1]));
  });

  it('prints errors in place, keeps going, and exits 2', () => {
    const input = [
      'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H',
      'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H',
      '',
      '  CVSS:3.0/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:N\r',
      'CVSS:2.0/AV:N/AC:L/Au:N/C:P/I:P/A:P',
      'CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:H/SI:H/SA:H',
    ].join('\n');
    const r = runCli(['cvss', 'score'], { input });
    expect(r.code).toBe(2);
    expect(r.stdout).toBe(
      [
        '9.8',
        'error: line 2: invalid CVSS vector "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H": missing mandatory metric A',
        '0.0',
        'error: line 5: invalid CVSS vector "CVSS:2.0/AV:N/AC:L/Au:N/C:P/I:P/A:P": unknown prefix "CVSS:2.0": expected CVSS:3.0/, CVSS:3.1/ or CVSS:4.0/',
        '10.0',
        '',
      ].join('\n'),
    );
    expect(r.stderr).toContain('2 of 6 input lines had an invalid CVSS vector');
  });

  it('prints a JSON array of records with --json', () => {
    const r = runCli(['cvss', 'score', '--json'], {
      input:
        'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H\nCVSS:3.1/AV:Q\nCVSS:4.0/AV:P/AC:H/AT:P/PR:H/UI:A/VC:L/VI:N/VA:N/SC:N/SI:N/SA:N\n',
    });
    expect(r.code).toBe(2);
    expect(JSON.parse(r.stdout)).toEqual([
      {
        vector: 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H',
        version: '3.1',
        score: 9.8,
        severity: 'critical',
      },
      { line: 2, vector: 'CVSS:3.1/AV:Q', error: expect.stringContaining('bad value "Q" for metric AV') },
      {
        vector: 'CVSS:4.0/AV:P/AC:H/AT:P/PR:H/UI:A/VC:L/VI:N/VA:N/SC:N/SI:N/SA:N',
        version: '4.0',
        score: 1,
        severity: 'low',
      },
    ]);
  });

  it('scores vectors given as arguments', () => {
    const r = runCli(['cvss', 'score', 'CVSS:3.0/AV:L/AC:H/PR:H/UI:R/S:U/C:L/I:N/A:N', 'CVSS:3.1/AV:N']);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe(
      '1.8\nerror: argument 2: invalid CVSS vector "CVSS:3.1/AV:N": missing mandatory metrics AC, PR, UI, S, C, I, A\n',
    );
    expect(r.stderr).toContain('1 of 2 input arguments had an invalid CVSS vector');
  });

  it('teaches with --help', () => {
    const r = runCli(['cvss', 'score', '--help']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('Examples:');
    expect(r.stdout).toContain('patchwise cvss score');
  });
});
