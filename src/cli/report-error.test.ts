import { afterEach, describe, expect, it, vi } from 'vitest';
import { OperationalError, UserError } from '../core/errors.js';
import { reportError } from './main.js';

function report(e: unknown, debug: boolean): { code: number; stderr: string } {
  let stderr = '';
  vi.spyOn(process.stderr, 'write').mockImplementation((chunk) => {
    stderr += String(chunk);
    return true;
  });
  const code = reportError(e, debug);
  vi.restoreAllMocks();
  return { code, stderr };
}

describe('reportError', () => {
  afterEach(() => vi.restoreAllMocks());
  const cause = new Error('EEXIST: file already exists');
  const user = new UserError('data-dir-not-dir', 'The data directory x is not a directory.', 'Point it.', {
    cause,
  });

  it('a user error: exit 2, sentence and hint; the cause only with debug', () => {
    expect(report(user, false)).toEqual({
      code: 2,
      stderr: 'error: The data directory x is not a directory.\nhint: Point it.\n',
    });
    expect(report(user, true).stderr).toContain('cause: Error: EEXIST: file already exists\n');
  });

  it('an operational error: exit 3', () => {
    expect(report(new OperationalError('feed-down', 'The feed is down.'), false).code).toBe(3);
  });

  it('a bug: exit 3, its message and no stack trace unless debug', () => {
    const bug = new TypeError('x is undefined');
    const quiet = report(bug, false);
    expect(quiet.code).toBe(3);
    expect(quiet.stderr).toContain('internal error (a bug; please report it): x is undefined');
    expect(quiet.stderr).toContain('--debug');
    expect(quiet.stderr).not.toMatch(/^\s+at /m);
    expect(report(bug, true).stderr).toMatch(/^\s+at /m);
  });

  it('a damaged database found mid-command: exit 2 with a hint', () => {
    const e = Object.assign(new Error('database disk image is malformed'), { code: 'SQLITE_CORRUPT' });
    const r = report(e, false);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^error: The database is damaged .*\nhint: Move patchwise.db/);
  });

  it('escapes control characters in what it prints', () => {
    const r = report(new UserError('x', 'No host a\x1b[2J.\nsecond line', 'hint\x07'), false);
    expect(r.stderr).toBe('error: No host a\\x1b[2J.\nsecond line\nhint: hint\\x07\n');
  });
});
