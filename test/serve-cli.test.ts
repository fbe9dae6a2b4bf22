import { spawn } from 'node:child_process';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT, runCli, tempDir } from './helpers/cli.js';

describe('patchwise tokens and serve (the built CLI)', () => {
  it('creates a token shown once, lists without secrets, revokes by name', () => {
    const cwd = tempDir();
    const made = runCli(
      ['tokens', 'create', '--role', 'operator', '--name', 'ci', '--expires', '30d', '--json'],
      { cwd },
    );
    expect(made.code, made.stderr).toBe(0);
    const t = JSON.parse(made.stdout) as { token: string; role: string; expiresAt: string };
    expect(t.token).toMatch(/^pw_[A-Za-z0-9_-]{43}$/);
    expect(t.role).toBe('operator');
    const list = runCli(['tokens', 'list', '--json'], { cwd });
    expect(list.stdout).not.toContain(t.token);
    expect(list.stdout).not.toMatch(/hash/);
    expect(JSON.parse(list.stdout)[0]).toMatchObject({ name: 'ci', state: 'active' });
    expect(runCli(['tokens', 'create', '--role', 'operator', '--name', 'ci'], { cwd }).code).toBe(2);
    expect(runCli(['tokens', 'create', '--role', 'root', '--name', 'x'], { cwd }).code).toBe(2);
    expect(runCli(['tokens', 'revoke', 'ci'], { cwd }).code).toBe(0);
    expect(JSON.parse(runCli(['tokens', 'list', '--json'], { cwd }).stdout)[0].state).toBe('revoked');
  });

  it('refuses plain HTTP off loopback unless --insecure-http', () => {
    const r = runCli(['serve', '--listen', '0.0.0.0:0', '--no-scheduler'], { cwd: tempDir() });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/serve-needs-tls|without TLS/);
  });

  it('serves with a token, refuses without, and exits 0 on SIGTERM', async () => {
    const cwd = tempDir();
    const token = (
      JSON.parse(
        runCli(['tokens', 'create', '--role', 'viewer', '--name', 'v', '--json'], { cwd }).stdout,
      ) as { token: string }
    ).token;
    const child = spawn(
      process.execPath,
      [path.join(ROOT, 'bin/patchwise.js'), 'serve', '--listen', '127.0.0.1:0'],
      { cwd, env: { ...process.env, CI: '1' } },
    );
    let out = '';
    let err = '';
    child.stderr.on('data', (d: Buffer) => (err += String(d)));
    const url = await new Promise<string>((resolve, reject) => {
      child.stdout.on('data', (d: Buffer) => {
        out += String(d);
        const m = /listening on (http:\/\/\S+)/.exec(out);
        if (m) resolve(m[1]!);
      });
      child.on('exit', () => reject(new Error(`serve exited: ${err}`)));
    });
    const ok = await fetch(`${url}/api/hosts`, { headers: { authorization: `Bearer ${token}` } });
    expect(ok.status).toBe(200);
    expect(await ok.json()).toMatchObject({ items: [] });
    expect((await fetch(`${url}/api/hosts`)).status).toBe(401);
    const code = await new Promise<number | null>((resolve) => {
      child.on('exit', (c) => resolve(c));
      child.kill('SIGTERM');
    });
    expect(code, err).toBe(0);
    expect(out).toContain('stopped');
    expect(err).not.toContain(token);
  });
});
