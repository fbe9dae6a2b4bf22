import { describe, expect, it } from 'vitest';
import { windowOccurrences } from './occurrences.js';
import type { FreezeConfig, ReleaseConfig, WindowConfig } from './window-schema.js';

const window = (w: Partial<WindowConfig>): WindowConfig => ({
  name: 'w',
  schedule: 'FREQ=WEEKLY',
  duration: '3h',
  timeZone: 'UTC',
  ...w,
});

/** [start UTC, end UTC, startLocal, endLocal] of the next occurrences. */
function table(w: Partial<WindowConfig>, now: string, count = 2) {
  return windowOccurrences(window(w), new Date(now), count).map((o) => [
    o.start.toString(),
    o.end.toString(),
    o.startLocal,
    o.endLocal,
  ]);
}

// Every expected instant below is written out by hand from the zone's rules for 2026.
describe('windowOccurrences: zones and DST', () => {
  it('Europe/Berlin spring: 02:30 on 29 March is in the gap, kept and read as 03:30 (+02:00)', () => {
    const w = { schedule: 'FREQ=MONTHLY;BYDAY=-1SU', start: '02:30', timeZone: 'Europe/Berlin' };
    expect(table(w, '2026-03-01T00:00:00Z')).toEqual([
      [
        '2026-03-29T01:30:00Z',
        '2026-03-29T04:30:00Z',
        '2026-03-29T03:30:00+02:00',
        '2026-03-29T06:30:00+02:00',
      ],
      [
        '2026-04-26T00:30:00Z',
        '2026-04-26T03:30:00Z',
        '2026-04-26T02:30:00+02:00',
        '2026-04-26T05:30:00+02:00',
      ],
    ]);
  });

  it('Europe/Berlin autumn: 02:30 on 25 October happens twice, the first (+02:00) is taken; 3h is elapsed time', () => {
    const w = { schedule: 'FREQ=MONTHLY;BYDAY=-1SU', start: '02:30', timeZone: 'Europe/Berlin' };
    expect(table(w, '2026-10-01T00:00:00Z')).toEqual([
      [
        '2026-10-25T00:30:00Z',
        '2026-10-25T03:30:00Z',
        '2026-10-25T02:30:00+02:00',
        '2026-10-25T04:30:00+01:00',
      ],
      [
        '2026-11-29T01:30:00Z',
        '2026-11-29T04:30:00Z',
        '2026-11-29T02:30:00+01:00',
        '2026-11-29T05:30:00+01:00',
      ],
    ]);
  });

  it('America/New_York spring: 02:30 on 8 March is kept as 03:30 EDT', () => {
    const w = {
      schedule: 'FREQ=WEEKLY;BYDAY=SU',
      start: '02:30',
      duration: '1h',
      timeZone: 'America/New_York',
    };
    expect(table(w, '2026-03-07T00:00:00Z')).toEqual([
      [
        '2026-03-08T07:30:00Z',
        '2026-03-08T08:30:00Z',
        '2026-03-08T03:30:00-04:00',
        '2026-03-08T04:30:00-04:00',
      ],
      [
        '2026-03-15T06:30:00Z',
        '2026-03-15T07:30:00Z',
        '2026-03-15T02:30:00-04:00',
        '2026-03-15T03:30:00-04:00',
      ],
    ]);
  });

  it('America/New_York autumn: 01:30 on 1 November is the first one (EDT); 90m ends in EST', () => {
    const w = {
      schedule: 'FREQ=WEEKLY;BYDAY=SU',
      start: '01:30',
      duration: '90m',
      timeZone: 'America/New_York',
    };
    expect(table(w, '2026-10-31T12:00:00Z')).toEqual([
      [
        '2026-11-01T05:30:00Z',
        '2026-11-01T07:00:00Z',
        '2026-11-01T01:30:00-04:00',
        '2026-11-01T02:00:00-05:00',
      ],
      [
        '2026-11-08T06:30:00Z',
        '2026-11-08T08:00:00Z',
        '2026-11-08T01:30:00-05:00',
        '2026-11-08T03:00:00-05:00',
      ],
    ]);
  });

  it('Australia/Lord_Howe spring (30-minute jump): 02:15 on 4 October is kept as 02:45 +11:00', () => {
    const w = {
      schedule: 'FREQ=MONTHLY;BYDAY=1SU',
      start: '02:15',
      duration: '1h',
      timeZone: 'Australia/Lord_Howe',
    };
    expect(table(w, '2026-09-15T00:00:00Z', 1)).toEqual([
      [
        '2026-10-03T15:45:00Z',
        '2026-10-03T16:45:00Z',
        '2026-10-04T02:45:00+11:00',
        '2026-10-04T03:45:00+11:00',
      ],
    ]);
  });

  it('Australia/Lord_Howe autumn: 01:45 on 5 April happens twice, the first (+11:00) is taken', () => {
    const w = {
      schedule: 'FREQ=MONTHLY;BYDAY=1SU',
      start: '01:45',
      duration: '1h',
      timeZone: 'Australia/Lord_Howe',
    };
    expect(table(w, '2026-03-15T00:00:00Z', 1)).toEqual([
      [
        '2026-04-04T14:45:00Z',
        '2026-04-04T15:45:00Z',
        '2026-04-05T01:45:00+11:00',
        '2026-04-05T02:15:00+10:30',
      ],
    ]);
  });

  it('Asia/Kolkata (+05:30, no DST): second Tuesday at 22:00 for 4h crosses midnight', () => {
    const w = {
      schedule: 'FREQ=MONTHLY;BYDAY=2TU',
      start: '22:00',
      duration: '4h',
      timeZone: 'Asia/Kolkata',
    };
    expect(table(w, '2026-01-01T00:00:00Z')).toEqual([
      [
        '2026-01-13T16:30:00Z',
        '2026-01-13T20:30:00Z',
        '2026-01-13T22:00:00+05:30',
        '2026-01-14T02:00:00+05:30',
      ],
      [
        '2026-02-10T16:30:00Z',
        '2026-02-10T20:30:00Z',
        '2026-02-10T22:00:00+05:30',
        '2026-02-11T02:00:00+05:30',
      ],
    ]);
  });
});

describe('windowOccurrences: rules', () => {
  it('second Tuesday + 4 days (Patch Tuesday + 4), across a year end', () => {
    const w = {
      schedule: 'FREQ=MONTHLY;BYDAY=2TU',
      offsetDays: 4,
      start: '02:30',
      timeZone: 'Europe/Berlin',
    };
    expect(table(w, '2026-12-01T00:00:00Z')).toEqual([
      [
        '2026-12-12T01:30:00Z',
        '2026-12-12T04:30:00Z',
        '2026-12-12T02:30:00+01:00',
        '2026-12-12T05:30:00+01:00',
      ],
      [
        '2027-01-16T01:30:00Z',
        '2027-01-16T04:30:00Z',
        '2027-01-16T02:30:00+01:00',
        '2027-01-16T05:30:00+01:00',
      ],
    ]);
  });

  it('a negative offset moves into the previous month', () => {
    const w = {
      schedule: 'FREQ=MONTHLY;BYMONTHDAY=1',
      offsetDays: -1,
      start: '23:00',
      duration: '2h',
      timeZone: 'UTC',
    };
    expect(table(w, '2026-05-15T00:00:00Z', 1)).toEqual([
      [
        '2026-05-31T23:00:00Z',
        '2026-06-01T01:00:00Z',
        '2026-05-31T23:00:00+00:00',
        '2026-06-01T01:00:00+00:00',
      ],
    ]);
  });

  it('biweekly (INTERVAL=2) counts from the anchor week, across the spring change', () => {
    const w = { schedule: 'FREQ=WEEKLY;INTERVAL=2;BYDAY=TU', start: '02:30', timeZone: 'Europe/Berlin' };
    expect(table(w, '2026-03-01T00:00:00Z', 3).map((r) => r[0])).toEqual([
      '2026-03-10T01:30:00Z',
      '2026-03-24T01:30:00Z',
      '2026-04-07T00:30:00Z',
    ]);
  });

  it('cron 30 2 * * 2#2 (second Tuesday at 02:30)', () => {
    const w = { schedule: 'cron: 30 2 * * 2#2', timeZone: 'Europe/Berlin' };
    expect(table(w, '2026-03-01T00:00:00Z')).toEqual([
      [
        '2026-03-10T01:30:00Z',
        '2026-03-10T04:30:00Z',
        '2026-03-10T02:30:00+01:00',
        '2026-03-10T05:30:00+01:00',
      ],
      [
        '2026-04-14T00:30:00Z',
        '2026-04-14T03:30:00Z',
        '2026-04-14T02:30:00+02:00',
        '2026-04-14T05:30:00+02:00',
      ],
    ]);
  });

  it('cron last Sunday (0L) keeps the spring gap start at 03:30, as the RRULE does', () => {
    const w = { schedule: 'cron: 30 2 * * 0L', timeZone: 'Europe/Berlin' };
    expect(table(w, '2026-03-01T00:00:00Z', 1)[0]?.[2]).toBe('2026-03-29T03:30:00+02:00');
  });

  it('returns occurrences starting at or after now', () => {
    const w = { schedule: 'FREQ=DAILY', start: '02:00', duration: '1h', timeZone: 'UTC' };
    expect(table(w, '2026-06-01T02:00:00Z', 1)[0]?.[0]).toBe('2026-06-01T02:00:00Z');
    expect(table(w, '2026-06-01T02:00:01Z', 1)[0]?.[0]).toBe('2026-06-02T02:00:00Z');
  });
});

describe('windowOccurrences: freezes and releases', () => {
  const freezes: FreezeConfig[] = [
    { name: 'year-end', from: '2026-12-20', to: '2027-01-04', timeZone: 'Europe/Berlin' },
    { name: 'release-fridays', schedule: 'FREQ=WEEKLY;BYDAY=FR', duration: '24h', timeZone: 'Europe/Berlin' },
  ];
  const frozen = (w: Partial<WindowConfig>, now: string, count: number, only = freezes) =>
    windowOccurrences(window({ timeZone: 'Europe/Berlin', ...w }), new Date(now), count, {
      freezes: only,
    }).map((o) => [o.startLocal, o.frozen]);

  it('a window that runs into a recurring freeze is frozen with its name', () => {
    // Thursday 22:00 for 4h runs into Friday 00:00-02:00.
    expect(
      frozen({ schedule: 'FREQ=WEEKLY;BYDAY=TH', start: '22:00', duration: '4h' }, '2026-06-01T00:00:00Z', 1),
    ).toEqual([['2026-06-04T22:00:00+02:00', 'release-fridays']]);
    // Thursday 20:00 for 4h ends at midnight: touching is not overlapping.
    expect(
      frozen({ schedule: 'FREQ=WEEKLY;BYDAY=TH', start: '20:00', duration: '4h' }, '2026-06-01T00:00:00Z', 1),
    ).toEqual([['2026-06-04T20:00:00+02:00', null]]);
  });

  it('a dated freeze covers its last day whole and freezes a window that overlaps part of it', () => {
    const w = { schedule: 'FREQ=DAILY', start: '23:00', duration: '3h' };
    const yearEnd = freezes.slice(0, 1);
    expect(frozen(w, '2026-12-18T00:00:00Z', 3, yearEnd)).toEqual([
      ['2026-12-18T23:00:00+01:00', null],
      ['2026-12-19T23:00:00+01:00', 'year-end'],
      ['2026-12-20T23:00:00+01:00', 'year-end'],
    ]);
    // The freeze ends with 4 January (midnight into the 5th), so the 4th is still frozen.
    expect(frozen(w, '2027-01-03T12:00:00Z', 3, yearEnd)).toEqual([
      ['2027-01-03T23:00:00+01:00', 'year-end'],
      ['2027-01-04T23:00:00+01:00', 'year-end'],
      ['2027-01-05T23:00:00+01:00', null],
    ]);
  });

  it('a release inside an occurrence is a conflict', () => {
    const releases: ReleaseConfig[] = [
      { name: 'shop-2.4', at: '2026-12-12T03:00', timeZone: 'Europe/Berlin' },
      { name: 'api-7', at: '2026-12-12T05:30:00+01:00' },
    ];
    const w = window({
      schedule: 'FREQ=MONTHLY;BYDAY=2TU',
      offsetDays: 4,
      start: '02:30',
      timeZone: 'Europe/Berlin',
    });
    const [o] = windowOccurrences(w, new Date('2026-12-01T00:00:00Z'), 1, { releases });
    expect(o?.releases).toEqual(['shop-2.4']);
  });
});
