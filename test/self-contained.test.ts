import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT } from './helpers/cli.js';

/**
 * Tests run from a clone of this repository alone: no test, helper or source file may read the data
 * folder beside the project. Its files live in test/fixtures/ and feeds/snapshot/ (benchmarks in bench/
 * may still read it).
 */
const FOLDERS = ['src', 'test', 'lab'];
const OUTSIDE = [/\.\.\/shared\b/, /\bshared\/data\b/];
const SELF = path.relative(ROOT, import.meta.filename);

function sourceFiles(): string[] {
  return FOLDERS.flatMap((dir) =>
    fs
      .readdirSync(path.join(ROOT, dir), { recursive: true, encoding: 'utf8' })
      .filter((f) => f.endsWith('.ts'))
      .map((f) => path.join(dir, f)),
  ).filter((f) => f !== SELF);
}

describe('the tests are self-contained', () => {
  it('no source or test file refers to the shared data folder outside the repository', () => {
    const files = sourceFiles();
    expect(files.length).toBeGreaterThan(50);
    const offenders = files.flatMap((f) =>
      fs
        .readFileSync(path.join(ROOT, f), 'utf8')
        .split('\n')
        .flatMap((line, i) => (OUTSIDE.some((re) => re.test(line)) ? [`${f}:${i + 1}: ${line.trim()}`] : [])),
    );
    expect(offenders, 'copy the data into test/fixtures/ (see its README.md) and read it from there').toEqual(
      [],
    );
  });
});
