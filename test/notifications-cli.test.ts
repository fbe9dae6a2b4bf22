import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ROOT, SNAPSHOT, tempDir } from './helpers/cli.js';
import { FLEET_YAML } from './helpers/notify-setup.js';
import { webhookReceiver } from './helpers/webhook-receiver.js';

const cleanup: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const f of cleanup.splice(0)) await f();
});

/** The built CLI, run without blocking this process (the receiver answers from it). */
function cli(cwd: string, args: string[], env: Record<string, string> = {}) {
  return new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
    const p = spawn(process.execPath, [path.join(ROOT, 'bin/patchwise.js'), ...args], {
      cwd,
      env: { ...process.env, CI: '1', ...env },
    });
    let stdout = '';
    let stderr = '';
    p.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    p.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    p.on('close', (code) => resolve({ code: code ?? -1, stdout, stderr }));
  });
}

describe('patchwise notifications and the scheduler', () => {
  it('the scheduler pass sends emergencies once; list and test show deliveries', async () => {
    const rx = await webhookReceiver();
    cleanup.push(rx.close);
    const dir = tempDir('patchwise-notify-cli-');
    fs.writeFileSync(
      path.join(dir, 'patchwise.yaml'),
      `${FLEET_YAML}notifications:
  - name: ops
    url: ${rx.url}
    events: [emergency]
    secretEnv: HOOK_KEY
  - name: down
    url: http://127.0.0.1:9/nothing
    events: [run-finished]
`,
    );
    const env = { HOOK_KEY: 'k' };
    const status = path.join(ROOT, 'test/fixtures/decide/web-status');
    for (const args of [
      ['feeds', 'import', SNAPSHOT],
      ['scan', '--from-status', status, '--os', 'debian:12', '--name', 'web-1'],
    ])
      expect((await cli(dir, args, env)).code).toBe(0);
    for (let i = 0; i < 2; i++) {
      const r = await cli(dir, ['scheduler', '--once', '--no-runs'], env);
      expect(r.code, r.stderr).toBe(0);
    }
    const sent = rx.got.map((g) => JSON.parse(g.body) as { event: string });
    expect(sent.length).toBeGreaterThan(0);
    expect(sent.every((b) => b.event === 'emergency')).toBe(true);
    const list = await cli(dir, ['notifications', 'list', '--json'], env);
    const rows = JSON.parse(list.stdout) as { state: string; webhook: string }[];
    expect(rows).toHaveLength(sent.length);
    expect(rows.every((r) => r.state === 'delivered' && r.webhook === 'ops')).toBe(true);

    const ok = await cli(dir, ['notifications', 'test', 'ops', '--json'], env);
    expect(ok.code, ok.stderr).toBe(0);
    expect(JSON.parse(ok.stdout)).toMatchObject({ state: 'delivered', event: 'test' });
    const unknown = await cli(dir, ['notifications', 'test', 'nope'], env);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/No webhook named nope/);
  }, 180_000);
});
