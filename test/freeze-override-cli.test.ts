import fs from 'node:fs';
import Database from 'better-sqlite3';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli, tempDir } from './helpers/cli.js';

const CONFIG = `hosts:
  - { name: web-1, tier: 3, exposure: internal, owner: team-web, tags: { role: web } }
windows:
  - name: nightly
    schedule: "FREQ=DAILY"
    start: "02:00"
    duration: 3h
    timeZone: UTC
    scope: { tags: { role: web } }
freezes:
  - { name: year-end, from: "2026-12-20", to: "2027-01-04", timeZone: UTC }
`;

interface Event {
  window: string;
  occurrence: string;
  event: string;
  reason: string;
  detail: Record<string, unknown>;
}

describe('a freeze overridden with a recorded approval (windows override)', () => {
  const dir = tempDir();
  fs.writeFileSync(path.join(dir, 'patchwise.yaml'), CONFIG);
  const env = { PATCHWISE_HOME: path.join(dir, '.pw'), PATCHWISE_ACTOR: 'bob' };
  const cli = (...args: string[]) => runCli(args, { cwd: dir, env });
  const events = (): Event[] => JSON.parse(cli('windows', 'events', '--json').stdout) as Event[];

  it('refuses an override without a reason, approved by its requester, or of an occurrence no freeze cancels', () => {
    const now = ['--now', '2026-12-21T12:00:00Z'];
    expect(cli(...now, 'windows', 'override', 'nightly', '--approver', 'bob', '--reason', 'x').code).toBe(2);
    expect(cli(...now, 'windows', 'override', 'nightly', '--approver', 'alice', '--reason', ' ').code).toBe(
      2,
    );
    const free = cli(
      ...now,
      'windows',
      'override',
      'nightly',
      '--occurrence',
      '2027-01-10T02:00:00Z',
      '--approver',
      'alice',
      '--reason',
      'x',
    );
    expect(free.code).toBe(2);
    expect(free.stderr).toContain('nothing to override');
    expect(cli(...now, 'windows', 'override', 'nope', '--approver', 'alice', '--reason', 'x').code).toBe(2);
    expect(events()).toEqual([]);
  });

  it('records who approved and why; the scheduler then opens the frozen occurrence, saying so', () => {
    const r = cli(
      '--now',
      '2026-12-21T12:00:00Z',
      'windows',
      'override',
      'nightly',
      '--approver',
      'alice',
      '--reason',
      'exploited CVE on web-1',
    );
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('approved by alice');
    const db = new Database(path.join(dir, '.pw', 'patchwise.db'), { readonly: true });
    const log = db
      .prepare(`SELECT actor, event, subject, detail FROM decision_log WHERE event != 'config-changed'`)
      .all();
    db.close();
    expect(log).toEqual([
      {
        actor: 'bob',
        event: 'freeze-override',
        subject: 'nightly@2026-12-22T02:00:00Z',
        detail: JSON.stringify({ approver: 'alice', freeze: 'year-end', reason: 'exploited CVE on web-1' }),
      },
    ]);
    const [o] = events();
    expect(o).toMatchObject({
      window: 'nightly',
      occurrence: '2026-12-22T02:00:00Z',
      event: 'override',
      reason: 'exploited CVE on web-1',
      detail: { approver: 'alice', requestedBy: 'bob', freeze: 'year-end' },
    });
    expect(
      cli(
        '--now',
        '2026-12-21T12:00:00Z',
        'windows',
        'override',
        'nightly',
        '--approver',
        'alice',
        '--reason',
        'again',
      ).code,
    ).toBe(2);
    // The first pass starts watching; the next, at the start, opens the overridden occurrence.
    expect(cli('scheduler', '--once', '--now', '2026-12-21T12:00:00Z').code).toBe(0);
    const pass = cli('scheduler', '--once', '--now', '2026-12-22T02:00:30Z');
    expect(pass.code, pass.stderr).toBe(0);
    const opened = events().find((e) => e.event === 'opened' && e.occurrence === '2026-12-22T02:00:00Z')!;
    expect(opened.reason).toContain('overridden with the approval of alice');
    // The night after is frozen as usual.
    cli('scheduler', '--once', '--now', '2026-12-23T02:00:30Z');
    expect(events().find((e) => e.occurrence === '2026-12-23T02:00:00Z')?.event).toBe('frozen');
  });
});
