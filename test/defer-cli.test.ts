import { parsePlan } from './helpers/cli.js';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import type { HostPlan } from '../src/app/decide.js';
import type { DeferralView } from '../src/app/defer.js';
import { DeferralStore } from '../src/adapters/store/deferral-store.js';
import { openStore } from '../src/adapters/store/open-store.js';
import { decideFleetDir } from './decide-setup.js';

let cli: ReturnType<typeof decideFleetDir>['cli'];
let dir: string;
beforeAll(() => {
  ({ cli, dir } = decideFleetDir());
});

const DAY = 86_400_000;
const date = (days: number) => new Date(Date.now() + days * DAY).toISOString().slice(0, 10);
const base = (review: string) => [
  'defer',
  'add',
  '--finding',
  'CVE-2023-44487',
  '--host',
  'web-1',
  '--reason',
  'update breaks HTTP/2 push',
  '--control',
  'HTTP/2 disabled at the load balancer',
  '--owner',
  'alice',
  '--review',
  review,
  '--until',
  'fix-available',
];
const rapidReset = (hosts: HostPlan[]) =>
  hosts.find((h) => h.host === 'web-1')!.decisions.find((d) => d.cves.includes('CVE-2023-44487'))!;

describe('patchwise defer (real SQLite through the CLI)', () => {
  it('refuses a long deferral of an emergency without an approver', () => {
    const r = cli(...base(date(10)));
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/whose action is emergency may last at most 3 days without an approver/);
  });

  it('requires every field the article names', () => {
    const r = cli('defer', 'add', '--finding', 'CVE-2023-44487', '--host', 'web-1', '--review', date(2));
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/required option/);
  });

  it('records a deferral with an approver; the finding stays visible as deferred; end makes it due again', async () => {
    const add = cli(...base(date(10)), '--approver', 'ciso', '--json');
    expect(add.code, add.stderr).toBe(0);
    const id = (JSON.parse(add.stdout) as { deferral: { id: string } }).deferral.id;
    expect(id).toBe('D-1');

    const plan = parsePlan<HostPlan>(cli('plan', '--json', '--decisions').stdout);
    const deferred = rapidReset(plan.hosts);
    // "fix-available" holds already (nginx has a fix), so the deferral ends by itself at once ...
    expect(deferred.deferral).toMatchObject({ id: 'D-1', state: 'ended', endedBecause: 'fix-available' });
    expect(deferred.state).toBe('due');

    const list = JSON.parse(cli('defer', 'list', '--json').stdout) as DeferralView[];
    expect(list.map((d) => [d.id, d.status.state, d.status.endedBecause])).toEqual([
      ['D-1', 'ended', 'fix-available'],
    ]);
  });

  it('a date-bound deferral defers, shows in list, and ends by hand with an audit trail', async () => {
    const add = cli(...base(date(2)).slice(0, -1), date(2));
    expect(add.code, add.stderr).toBe(0);
    expect(add.stdout).toMatch(/^recorded D-2: covers 1 current finding\(s\), capped as emergency/);

    let plan = parsePlan<HostPlan>(cli('plan', '--json', '--decisions').stdout);
    const web = plan.hosts.find((h) => h.host === 'web-1')!;
    expect(rapidReset(plan.hosts)).toMatchObject({
      state: 'deferred',
      action: 'emergency',
      deferral: { id: 'D-2', state: 'expiring' },
    });
    expect(web.deferred).toBe(1);
    expect(web.findings).toBe(web.decisions.length);

    const list = cli('defer', 'list');
    expect(list.stdout).toMatch(/D-2\s+expiring/);

    expect(cli('defer', 'end', 'D-2', '--reason', 'patched in the emergency window').code).toBe(0);
    expect(cli('defer', 'end', 'D-2', '--reason', 'again').code).toBe(2);
    plan = parsePlan<HostPlan>(cli('plan', '--json', '--decisions').stdout);
    expect(rapidReset(plan.hosts)).toMatchObject({
      state: 'due',
      deferral: { id: 'D-2', state: 'ended', endedBecause: 'ended-by-hand' },
    });

    const store = await openStore(path.join(dir, '.patchwise'));
    try {
      // The configuration's first load is logged too (config-changed); the deferrals are what this checks.
      const log = (await new DeferralStore(store.db).log()).filter((e) => e.event !== 'config-changed');
      expect(log.map((e) => [e.event, e.subject])).toEqual([
        ['deferral-added', 'D-1'],
        ['deferral-added', 'D-2'],
        ['deferral-ended', 'D-2'],
      ]);
      expect(log[2]!.detail).toEqual({ reason: 'patched in the emergency window' });
      expect(log.every((e) => e.actor.length > 0)).toBe(true);
    } finally {
      await store.close();
    }
  });

  it('a deferral past its review date ends by itself and the finding is due again', async () => {
    const store = await openStore(path.join(dir, '.patchwise'));
    try {
      await new DeferralStore(store.db).add(
        {
          findings: ['CVE-2023-44487'],
          hosts: [],
          selector: 'tag:role=web',
          reason: 'r',
          control: 'c',
          owner: 'o',
          review: date(-1),
          until: date(5),
          createdAt: new Date(Date.now() - 3 * DAY).toISOString(),
        },
        'test',
      );
    } finally {
      await store.close();
    }
    const plan = parsePlan<HostPlan>(cli('plan', '--json', '--decisions').stdout);
    const d = rapidReset(plan.hosts);
    expect(d.state).toBe('due');
    expect(d.reasons.at(-1)).toMatch(/^Deferral D-\d ended .* because .*: the finding is due again\.$/);
    const list = JSON.parse(cli('defer', 'list', '--json').stdout) as DeferralView[];
    expect(list.find((x) => x.id === 'D-3')?.status).toMatchObject({
      state: 'ended',
      endedBecause: 'review-date-passed',
    });
  });
});
