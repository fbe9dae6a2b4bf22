import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli, tempDir } from './helpers/cli.js';

/** Bytes a terminal would act on: none may reach the output unescaped. */
// eslint-disable-next-line no-control-regex -- finding control characters is the point
const RAW_CONTROL = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f]/;

describe('strings from outside are printed with their control characters escaped', () => {
  const data = path.join(tempDir(), 'data');
  const cli = (...args: string[]) => runCli(['-d', data, '--now', '2026-12-01', ...args]);

  it('in tables: hosts list and defer list', () => {
    expect(cli('hosts', 'add', 'web-1', '--local', '--owner', 'bob\x1b[31m').code).toBe(0);
    const hosts = cli('hosts', 'list');
    expect(hosts.stdout).toContain('bob\\x1b[31m');
    expect(hosts.stdout).not.toMatch(RAW_CONTROL);
    const added = cli(
      'defer',
      'add',
      '--finding',
      'openssl',
      '--host',
      'web-1',
      '--reason',
      'r\x1b]0;owned\x07',
      '--control',
      'c\tx',
      '--owner',
      'al\x1b[2Jice',
      '--review',
      '2026-12-03',
      '--until',
      'fix-available',
    );
    expect(added.code, added.stderr).toBe(0);
    const list = cli('defer', 'list');
    expect(list.stdout).toContain('al\\x1b[2Jice');
    expect(list.stdout).toContain('c\\x09x');
    expect(list.stdout).not.toMatch(RAW_CONTROL);
    // JSON is escaped by JSON itself and keeps the value as it was given.
    expect(JSON.parse(cli('defer', 'list', '--json').stdout)[0].owner).toBe('al\x1b[2Jice');
  });

  it('in errors', () => {
    const r = cli('defer', 'end', 'D-9\x1b]0;owned\x07', '--reason', 'x');
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('D-9\\x1b]0;owned\\x07');
    expect(r.stderr).not.toMatch(RAW_CONTROL);
  });
});
