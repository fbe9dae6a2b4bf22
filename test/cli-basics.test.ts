import { describe, expect, it } from 'vitest';
import { runCli, tempDir } from './helpers/cli.js';

describe('patchwise CLI basics', () => {
  it('prints help with the exit-code contract and exits 0', () => {
    const r = runCli(['--help']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('Exit codes: 0 success');
  });

  it('exits 2 on an unknown command', () => {
    const r = runCli(['no-such-command'], { cwd: tempDir() });
    expect(r.code).toBe(2);
  });
});
