import { describe, expect, it } from 'vitest';
import { schedulerPass, type SchedulerInput, type WindowEvent } from './scheduler.js';
import type { FreezeConfig, WindowConfig } from './window-schema.js';

/** Daily 02:00-05:00 UTC; no host starts after 04:15. */
const DAILY: WindowConfig = {
  name: 'nightly',
  schedule: 'FREQ=DAILY',
  start: '02:00',
  duration: '3h',
  cutoff: '45m',
  timeZone: 'UTC',
};

/** Last Sunday of the month at 02:30 Berlin time: 29 March 2026 falls in the spring-forward gap. */
const BERLIN: WindowConfig = {
  name: 'berlin',
  schedule: 'FREQ=MONTHLY;BYDAY=-1SU',
  start: '02:30',
  duration: '2h',
  timeZone: 'Europe/Berlin',
};

const FREEZE: FreezeConfig = { name: 'year-end', from: '2026-12-20', to: '2027-01-04', timeZone: 'UTC' };

type Recorded = SchedulerInput['recorded'][number];
const opened = (occurrence: string, end: string): Recorded => ({
  window: 'nightly',
  occurrence,
  event: 'opened',
  detail: { end },
});

interface Case {
  name: string;
  now: string;
  watched?: string;
  windows?: WindowConfig[];
  freezes?: FreezeConfig[];
  recorded?: Recorded[];
  /** [window, occurrence, event, reason pattern] */
  expected: [string, string, WindowEvent['event'], RegExp][];
  nextDueAt?: string;
}

// Every instant written out by hand.
const CASES: Case[] = [
  {
    name: 'before its start nothing opens; the next start is when to wake',
    now: '2026-06-10T01:59:00Z',
    watched: '2026-06-10T01:58:30Z',
    expected: [],
    nextDueAt: '2026-06-10T02:00:00Z',
  },
  {
    name: 'opens on time when its start has come',
    now: '2026-06-10T02:00:00Z',
    watched: '2026-06-10T01:59:30Z',
    expected: [['nightly', '2026-06-10T02:00:00Z', 'opened', /^its start has come$/]],
    nextDueAt: '2026-06-10T05:00:00Z',
  },
  {
    name: 'Berlin 02:30 in the spring gap opens at 03:30 CEST = 01:30 UTC, on time',
    windows: [BERLIN],
    now: '2026-03-29T01:30:10Z',
    watched: '2026-03-29T01:29:40Z',
    expected: [['berlin', '2026-03-29T01:30:00Z', 'opened', /start has come/]],
  },
  {
    name: 'Berlin: one minute before the gap-shifted start nothing opens',
    windows: [BERLIN],
    now: '2026-03-29T01:29:00Z',
    watched: '2026-03-29T01:28:30Z',
    expected: [],
    nextDueAt: '2026-03-29T01:30:00Z',
  },
  {
    name: 'started while down, before the cutoff: opens late, saying how late',
    now: '2026-06-10T02:30:00Z',
    watched: '2026-06-10T01:00:00Z',
    expected: [
      ['nightly', '2026-06-10T02:00:00Z', 'opened', /opened 30 minutes late.*cutoff at 2026-06-10T04:15:00Z/],
    ],
  },
  {
    name: 'first pass ever in the middle of an occurrence: opens it late, records nothing older',
    now: '2026-06-10T03:00:00Z',
    expected: [['nightly', '2026-06-10T02:00:00Z', 'opened', /60 minutes late/]],
  },
  {
    name: 'cutoff respected: started while down, now past the cutoff: missed, not opened',
    now: '2026-06-10T04:20:00Z',
    watched: '2026-06-10T01:00:00Z',
    expected: [
      ['nightly', '2026-06-10T02:00:00Z', 'missed', /until after the cutoff at 2026-06-10T04:15:00Z/],
    ],
  },
  {
    name: 'exactly at the cutoff is too late',
    now: '2026-06-10T04:15:00Z',
    watched: '2026-06-10T01:00:00Z',
    expected: [['nightly', '2026-06-10T02:00:00Z', 'missed', /cutoff/]],
  },
  {
    name: 'a whole occurrence passed while down: missed, never replayed',
    now: '2026-06-10T06:00:00Z',
    watched: '2026-06-10T01:00:00Z',
    expected: [
      [
        'nightly',
        '2026-06-10T02:00:00Z',
        'missed',
        /from 2026-06-10T01:00:00Z until after the occurrence ended at 2026-06-10T05:00:00Z; its work goes to the next/,
      ],
    ],
    nextDueAt: '2026-06-11T02:00:00Z',
  },
  {
    name: 'three days down: two missed, today opened late',
    now: '2026-06-12T02:10:00Z',
    watched: '2026-06-09T23:00:00Z',
    expected: [
      ['nightly', '2026-06-10T02:00:00Z', 'missed', /ended/],
      ['nightly', '2026-06-11T02:00:00Z', 'missed', /ended/],
      ['nightly', '2026-06-12T02:00:00Z', 'opened', /10 minutes late/],
    ],
  },
  {
    name: 'an occurrence settled before the last pass is not looked at again',
    now: '2026-06-11T01:00:00Z',
    watched: '2026-06-10T06:00:00Z',
    expected: [],
  },
  {
    name: 'a frozen occurrence never opens: recorded frozen with the freeze',
    freezes: [FREEZE],
    now: '2026-12-21T02:00:00Z',
    watched: '2026-12-21T01:59:30Z',
    expected: [
      ['nightly', '2026-12-21T02:00:00Z', 'frozen', /overlaps the freeze "year-end"; it does not open/],
    ],
  },
  {
    name: 'frozen wins over missed after downtime; recorded frozen is settled',
    freezes: [FREEZE],
    now: '2026-12-22T06:00:00Z',
    watched: '2026-12-21T01:00:00Z',
    recorded: [{ window: 'nightly', occurrence: '2026-12-21T02:00:00Z', event: 'frozen', detail: {} }],
    expected: [['nightly', '2026-12-22T02:00:00Z', 'frozen', /year-end/]],
  },
  {
    name: 'already opened: not opened again, closed when its end comes',
    now: '2026-06-10T03:00:00Z',
    watched: '2026-06-10T02:59:30Z',
    recorded: [opened('2026-06-10T02:00:00Z', '2026-06-10T05:00:00Z')],
    expected: [],
    nextDueAt: '2026-06-10T05:00:00Z',
  },
  {
    name: 'closes at its end',
    now: '2026-06-10T05:00:00Z',
    watched: '2026-06-10T04:59:30Z',
    recorded: [opened('2026-06-10T02:00:00Z', '2026-06-10T05:00:00Z')],
    expected: [['nightly', '2026-06-10T02:00:00Z', 'closed', /^its end has come$/]],
  },
  {
    name: 'an end passed while down: closed late, the next occurrence missed',
    now: '2026-06-11T06:00:00Z',
    watched: '2026-06-10T03:00:00Z',
    recorded: [opened('2026-06-10T02:00:00Z', '2026-06-10T05:00:00Z')],
    expected: [
      ['nightly', '2026-06-11T02:00:00Z', 'missed', /ended/],
      ['nightly', '2026-06-10T02:00:00Z', 'closed', /passed while the scheduler was not running/],
    ],
  },
  {
    name: 'an opened occurrence of a window since removed is still closed',
    windows: [],
    now: '2026-06-10T05:00:00Z',
    recorded: [opened('2026-06-10T02:00:00Z', '2026-06-10T05:00:00Z')],
    expected: [['nightly', '2026-06-10T02:00:00Z', 'closed', /end/]],
  },
  {
    name: 'opened and closed: nothing more',
    now: '2026-06-10T05:30:00Z',
    watched: '2026-06-10T01:00:00Z',
    recorded: [
      opened('2026-06-10T02:00:00Z', '2026-06-10T05:00:00Z'),
      { window: 'nightly', occurrence: '2026-06-10T02:00:00Z', event: 'closed', detail: {} },
    ],
    expected: [],
  },
];

describe('schedulerPass', () => {
  it.each(CASES)('$name', (c) => {
    const now = new Date(c.now);
    const windows = c.windows ?? [DAILY];
    const d = schedulerPass({
      windows,
      freezes: c.freezes ?? [],
      now,
      watchedUntil: new Map(c.watched ? windows.map((w) => [w.name, new Date(c.watched!)]) : []),
      recorded: c.recorded ?? [],
    });
    expect(d.events.map((e) => [e.window, e.occurrence, e.event])).toEqual(
      c.expected.map(([w, o, e]) => [w, o, e]),
    );
    d.events.forEach((e, i) => {
      expect(e.reason).toMatch(c.expected[i]![3]);
      expect(e.at).toBe(now.toISOString().replace('.000Z', 'Z'));
      expect(typeof e.detail.end).toBe('string');
    });
    if (c.nextDueAt) expect(d.nextDueAt?.toISOString().replace('.000Z', 'Z')).toBe(c.nextDueAt);
  });

  it('is repeatable: the same pass over what it recorded decides nothing more', () => {
    const input: SchedulerInput = {
      windows: [DAILY],
      freezes: [],
      now: new Date('2026-06-12T02:10:00Z'),
      watchedUntil: new Map([['nightly', new Date('2026-06-09T23:00:00Z')]]),
      recorded: [],
    };
    const first = schedulerPass(input);
    expect(first.events).toHaveLength(3);
    expect(schedulerPass({ ...input, recorded: first.events }).events).toEqual([]);
  });
});
