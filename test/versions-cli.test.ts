import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT, runCli } from './helpers/cli.js';

// Needs a build: npx tsc -p tsconfig.build.json
const FIXTURES = path.join(ROOT, 'test/fixtures/versions');

function compare(ecosystem: string, input: string) {
  return runCli(['versions', 'compare', '--ecosystem', ecosystem], { input });
}

describe('patchwise versions compare', () => {
  it('prints -1, 0 or 1 per line and exits 0', () => {
    const r = compare('debian', '1.22.1-9+deb12u9\t1.22.1-9+deb12u11\n2:1.0\t1:9.9\n1.0\t1.0-0\n');
    expect(r.stdout).toBe('-1\n1\n0\n');
    expect(r.code).toBe(0);
  });

  it('answers every dpkg test vector as dpkg does', () => {
    const rows = fs.readFileSync(path.join(FIXTURES, 'dpkg_version_compare.tsv'), 'utf8').trim().split('\n');
    // t-version.c compares "0:a-0" as a pre-split struct; as a string dpkg only warns about it, patchwise refuses it.
    const usable = rows.slice(1).filter((l) => !l.startsWith('0:a-0'));
    const r = compare('dpkg', usable.map((l) => l.split('\t').slice(0, 2).join('\t')).join('\n'));
    expect(r.code).toBe(0);
    expect(r.stdout.trim().split('\n')).toEqual(usable.map((l) => l.split('\t')[2]));
  });

  it('answers the active rpmvercmp vectors (rpm aliases)', () => {
    const rows = fs.readFileSync(path.join(FIXTURES, 'rpmvercmp.tsv'), 'utf8').trim().split('\n').slice(1);
    // Plain rpmvercmp cases without "-" or ":" are also whole EVRs with the same answer.
    const usable = rows.filter((l) => l.endsWith('\t1') && !/[-:]/.test(l));
    for (const alias of ['rpm', 'rocky', 'RHEL']) {
      const r = compare(alias, usable.map((l) => l.split('\t').slice(0, 2).join('\t')).join('\n') + '\n');
      expect(r.code).toBe(0);
      expect(r.stdout.trim().split('\n')).toEqual(usable.map((l) => l.split('\t')[2]));
    }
  });

  it('compares apk versions (apk alias)', () => {
    const r = compare('apk', '3.3.2-r0\t3.3.1-r3\n1.36.1_rc1-r0\t1.36.1-r0\n8.9.1-r0\t8.9.1-r0\n');
    expect(r.stdout).toBe('1\n-1\n0\n');
    expect(r.code).toBe(0);
  });

  it('prints an error line in place of an invalid line, runs the rest, and exits 2', () => {
    const r = compare('debian', '1.0\t2.0\n\na:b\t1.0\n2.0\t1.0\n1.0 2.0\n1.0\t1.0-\n');
    expect(r.stdout).toBe(
      [
        '-1',
        'error: line 3: invalid debian version "a:b": epoch in version is not number',
        '1',
        'error: line 5: expected two versions separated by one tab',
        'error: line 6: invalid debian version "1.0-": revision number is empty',
        '',
      ].join('\n'),
    );
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('3 of 6 input lines had an invalid version');
  });

  it('handles CRLF input, a missing final newline and empty input', () => {
    expect(compare('rpm', '1.0-1\t1.0-2\r\n2.0\t1.0').stdout).toBe('-1\n1\n');
    const empty = compare('alpine', '');
    expect(empty.stdout).toBe('');
    expect(empty.code).toBe(0);
  });

  it('exits 2 with a hint for an unknown ecosystem', () => {
    const r = compare('pypi', '1\t2\n');
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('The ecosystem "pypi" has no version ordering');
    expect(r.stderr).toContain('hint: Use --ecosystem debian, rpm or alpine');
  });

  it('teaches with --help', () => {
    const r = runCli(['versions', 'compare', '--help']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('Examples:');
    expect(r.stdout).toContain('--ecosystem');
  });

  it('streams a large input', () => {
    const n = 200_000;
    const input = '1:2.36-9+deb12u4\t1:2.36-9+deb12u10\n'.repeat(n);
    const r = compare('debian', input);
    expect(r.code).toBe(0);
    expect(r.stdout.length).toBe(3 * n);
  });
});
