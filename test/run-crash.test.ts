import { spawn } from 'node:child_process';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { runController } from '../src/app/rollout/run-controller.js';
import { ROOT, tempDir } from './helpers/cli.js';
import { fakeDeps, setUpFakeRun } from './helpers/fake-run.js';

const CHILD = path.join(ROOT, 'test/helpers/run-controller-child.ts');

/** Starts a controller process and SIGKILLs it after `ms` (or lets it end first). */
function killAfter(args: string[], ms: number): Promise<void> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', CHILD, ...args], {
      cwd: ROOT,
      env: { ...process.env, PATCHWISE_TEST_STEP_DELAY_MS: '40' },
      stdio: 'ignore',
    });
    const t = setTimeout(() => child.kill('SIGKILL'), ms);
    child.on('exit', () => {
      clearTimeout(t);
      resolve();
    });
  });
}

describe('a run controller killed at random points', () => {
  it('resumes: every host ends verified or rolled back, and no package is installed twice', async () => {
    const hosts = [
      { name: 'a' },
      { name: 'b', state: { kernel: ['openssl'] } },
      { name: 'c', state: { breaks: { openssl: '3.0.2-1' } } },
      { name: 'd', state: { restartOnApply: ['web.service'] } },
    ];
    const fleetDir = tempDir();
    const dataDir = tempDir();
    const set = await setUpFakeRun(fleetDir, dataDir, hosts, { maxConcurrency: 2, maxErrors: 4, canary: 1 });
    for (let i = 0; i < 4; i++) await killAfter([dataDir, fleetDir, set.id], 900 + Math.random() * 600);
    const summary = await runController(set.id, fakeDeps(set.store, set.fleet, set.spec));
    const states = Object.fromEntries((await set.runs.hosts(set.id)).map((h) => [h.host, h.state]));
    expect(states).toEqual({ a: 'verified', b: 'verified', c: 'rolled-back', d: 'verified' });
    expect(summary.state).toBe('finished');
    for (const h of hosts) {
      const installs = set.fleet.read(h.name).history.filter((x) => x.name === 'openssl');
      expect(installs, h.name).toHaveLength(1);
    }
    expect(set.fleet.read('b').reboots).toBe(1);
    const steps = await set.runs.steps(set.id);
    expect(steps.every((s) => s.status !== 'running')).toBe(true);
    await set.store.close();
  }, 120_000);
});
