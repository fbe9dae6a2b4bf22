import { describe, expect, it } from 'vitest';
import { decideFleetDir } from './decide-setup.js';

const WINDOW = `windows:
  - name: web-daily
    schedule: "FREQ=DAILY"
    start: "08:00"
    duration: 3h
    timeZone: UTC
    owner: alice
    impact: auto
    rollback: snapshot
    success: [services-healthy, no-pending-reboot, findings-fixed]
    scope: { tags: { role: web } }
`;

describe('the scheduler starts the run of a window it opens', () => {
  it('records the run id in the opened event; --no-runs starts none', () => {
    const { cli } = decideFleetDir(WINDOW);
    const r = cli('scheduler', '--once', '--now', '2026-12-01T08:00:30Z');
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/opened web-daily/);
    const events = JSON.parse(cli('windows', 'events', '--json').stdout) as {
      event: string;
      detail: { run?: string };
    }[];
    const opened = events.find((e) => e.event === 'opened')!;
    expect(opened.detail.run).toMatch(/^R-/);
    const show = JSON.parse(cli('runs', 'show', opened.detail.run!, '--json').stdout) as {
      run: { kind: string; window: string; actor: string };
      hosts: { host: string; state: string; reason: string }[];
    };
    expect(show.run).toMatchObject({ kind: 'window', window: 'web-daily', actor: 'scheduler' });
    // This build has no patching operations yet: the host is skipped with the reason, never touched.
    expect(show.hosts).toMatchObject([{ host: 'web-1', state: 'skipped' }]);

    const next = cli('scheduler', '--once', '--no-runs', '--now', '2026-12-02T08:00:30Z');
    expect(next.code, next.stderr).toBe(0);
    expect(JSON.parse(cli('runs', 'list', '--json').stdout)).toHaveLength(1);
  });
});
