import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT, tempDir } from './helpers/cli.js';

/** Runs `patchwise ARGS | head -1` in bash: the first line, the CLI's exit code and its stderr. */
function intoHead(args: string): { first: string; code: number; stderr: string } {
  const dir = tempDir();
  const err = path.join(dir, 'stderr');
  const r = spawnSync(
    'bash',
    ['-c', `node bin/patchwise.js ${args} 2>${err} | head -1; echo "exit=\${PIPESTATUS[0]}"`],
    { cwd: ROOT, encoding: 'utf8', env: { ...process.env, CI: '1' }, timeout: 60_000 },
  );
  const [first = '', exit = ''] = r.stdout.split('\n');
  return { first, code: Number(/exit=(\d+)/.exec(exit)?.[1] ?? -1), stderr: fs.readFileSync(err, 'utf8') };
}

describe('a reader that stops early (EPIPE)', () => {
  it('ends hosts list on a large inventory quietly with exit 0', () => {
    const dir = tempDir();
    const hosts = Array.from(
      { length: 20_000 },
      (_, i) =>
        `  - { name: h${i}, connection: { ssh: { host: 127.0.0.1, user: root } }, tier: 2, exposure: internal, owner: ops }`,
    );
    fs.writeFileSync(path.join(dir, 'patchwise.yaml'), `hosts:\n${hosts.join('\n')}\n`);
    const r = intoHead(`-d ${dir}/data --config ${dir}/patchwise.yaml hosts list`);
    expect(r.first).toMatch(/^NAME\s+CONNECTION/);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
  });

  it('ends --help quietly with exit 0', () => {
    const r = intoHead('scan --help');
    expect(r.first).toMatch(/^Usage: patchwise scan/);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
  });
});
