import { beforeAll, describe, expect, it } from 'vitest';
import type { HostPlan } from '../src/app/decide.js';
import { decideFleetDir } from './decide-setup.js';
import { parsePlan, runCli } from './helpers/cli.js';

let cli: ReturnType<typeof decideFleetDir>['cli'];
let dir: string;
beforeAll(() => {
  ({ cli, dir } = decideFleetDir());
});

const web = (stdout: string) => parsePlan<HostPlan>(stdout).hosts.find((h) => h.host === 'web-1')!;

describe('a clock set by hand (--now, $PATCHWISE_NOW)', () => {
  it('decides as of that instant and records nothing', () => {
    const a = cli('--now', '2027-03-01T00:00:00Z', 'plan', '--json');
    expect(a.code, a.stderr).toBe(0);
    expect(parsePlan<HostPlan>(a.stdout).now).toBe('2027-03-01T00:00:00.000Z');
    // Nothing was recorded: a later clock counts the deadline from its own instant again.
    const b = cli('--now', '2027-03-02', 'plan', '--json');
    expect(Date.parse(web(b.stdout).dueAt!) - Date.parse(web(a.stdout).dueAt!)).toBe(24 * 3_600_000);
    const env = runCli(['plan', '--json'], { cwd: dir, env: { PATCHWISE_NOW: '2027-03-02' } });
    expect(web(env.stdout).dueAt).toBe(web(b.stdout).dueAt);
  });

  it('a real run records first sightings; a later hand-set clock counts from them', () => {
    const first = web(cli('plan', '--json').stdout);
    const later = web(cli('--now', new Date(Date.now() + 3_600_000).toISOString(), 'plan', '--json').stdout);
    expect(later.dueAt).toBe(first.dueAt);
    expect(later.state).toBe(first.state);
  });

  it('refuses a clock it cannot read, naming the option', () => {
    const r = cli('--now', 'next friday', 'plan');
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('--now');
    expect(r.stderr).toContain('hint:');
  });

  it('assess, findings and explain take it too', () => {
    for (const args of [
      ['assess', '--no-scan', '--json'],
      ['findings', '--json', '--limit', '1'],
    ]) {
      const r = cli('--now', '2027-03-01', ...args);
      expect(r.code, r.stderr).toBe(0);
      expect(JSON.parse(r.stdout.split('\n')[0]!)).toMatchObject({ now: '2027-03-01T00:00:00.000Z' });
    }
    const e = cli('--now', '2027-03-01', 'explain', 'web-1', 'CVE-2023-44487');
    expect(e.stdout).toMatch(/due 2027-03-0[23]|overdue/);
  });
});
