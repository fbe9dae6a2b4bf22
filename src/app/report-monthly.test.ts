import { describe, expect, it } from 'vitest';
import { UserError } from '../core/errors.js';
import { monthBounds, previousMonth } from './report-monthly.js';

describe('the report month', () => {
  it.each([
    ['2026-11', 'Europe/Berlin', '2026-10-31T23:00:00.000Z', '2026-11-30T23:00:00.000Z'],
    ['2026-03', 'Europe/Berlin', '2026-02-28T23:00:00.000Z', '2026-03-31T22:00:00.000Z'], // DST starts in March
    ['2026-12', 'UTC', '2026-12-01T00:00:00.000Z', '2027-01-01T00:00:00.000Z'],
  ])('%s in %s is [%s, %s)', (month, tz, from, to) => {
    const b = monthBounds(month, tz);
    expect([b.from.toISOString(), b.to.toISOString()]).toEqual([from, to]);
  });

  it.each(['2026-13', '2026-1', 'november', ''])('rejects %j', (m) => {
    expect(() => monthBounds(m, 'UTC')).toThrow(UserError);
  });

  it('defaults to the month before, in the policy time zone', () => {
    // 1 December 00:30 in Berlin is still 30 November in UTC.
    const now = new Date('2026-11-30T23:30:00Z');
    expect(previousMonth(now, 'Europe/Berlin')).toBe('2026-11');
    expect(previousMonth(now, 'UTC')).toBe('2026-10');
    expect(previousMonth(new Date('2026-01-15T12:00:00Z'), 'UTC')).toBe('2025-12');
  });
});
