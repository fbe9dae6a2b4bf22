import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli, SNAPSHOT, tempDir } from './helpers/cli.js';

/** A line of a stack trace. */
const STACK = /^\s+at /m;

describe('problems with the environment are user errors: exit 2, a sentence, a hint, no stack', () => {
  it('PATCHWISE_HOME pointing at a file', () => {
    const file = path.join(tempDir(), 'not-a-dir');
    fs.writeFileSync(file, 'x');
    const r = runCli(['findings'], { env: { PATCHWISE_HOME: file } });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^error: The data directory .*not-a-dir is not a directory\.\nhint: /);
    expect(r.stderr).not.toMatch(STACK);
  });

  it('a database file that is not a database', () => {
    const dir = tempDir();
    fs.writeFileSync(path.join(dir, 'patchwise.db'), Buffer.alloc(8192, 0x5a));
    const r = runCli(['-d', dir, 'findings']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(
      /^error: The database .*patchwise\.db is damaged or is not a patchwise database/,
    );
    expect(r.stderr).toMatch(/\nhint: Move it aside/);
    expect(r.stderr).not.toMatch(STACK);
    expect(r.stderr).not.toContain('cause:');
  });

  it('a database damaged inside (a page overwritten)', () => {
    const dir = tempDir();
    expect(
      runCli(['-d', dir, 'feeds', 'import', path.join(SNAPSHOT, 'known_exploited_vulnerabilities.json')])
        .code,
    ).toBe(0);
    const file = path.join(dir, 'patchwise.db');
    const fd = fs.openSync(file, 'r+');
    fs.writeSync(fd, Buffer.alloc(4096, 0xff), 0, 4096, 4096);
    fs.closeSync(fd);
    const r = runCli(['-d', dir, 'findings']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/damaged/);
    expect(r.stderr).not.toMatch(STACK);
  });

  it('--debug (and $PATCHWISE_DEBUG) print the cause', () => {
    const file = path.join(tempDir(), 'not-a-dir');
    fs.writeFileSync(file, 'x');
    const flag = runCli(['--debug', '-d', file, 'findings']);
    expect(flag.code).toBe(2);
    expect(flag.stderr).toMatch(/\ncause: Error: EEXIST/);
    const env = runCli(['-d', file, 'findings'], { env: { PATCHWISE_DEBUG: '1' } });
    expect(env.stderr).toMatch(/\ncause: Error: EEXIST/);
  });
});
