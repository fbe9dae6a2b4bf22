import { DateTime } from 'luxon';
import { describe, expect, it } from 'vitest';
import { formatLocal, parseInstant } from './time.js';

/** What formatLocal replaced: luxon per call. */
const viaLuxon = (ms: number, tz: string) => {
  const zone = tz === 'UTC' || tz === 'Etc/UTC' ? 'UTC' : tz;
  return `${DateTime.fromMillis(ms, { zone }).toFormat('yyyy-MM-dd HH:mm')} ${zone}`;
};

const ZONES = [
  'UTC',
  'Etc/UTC',
  'Europe/Berlin',
  'Europe/Dublin',
  'America/New_York',
  'America/Sao_Paulo',
  'Australia/Lord_Howe',
  'Asia/Kathmandu',
  'Pacific/Apia',
  'Pacific/Chatham',
  'Africa/Casablanca',
  'Etc/GMT+5',
];

describe('formatLocal', () => {
  it.each(ZONES)('matches luxon around every transition of %s (2020-2030) and at random instants', (tz) => {
    const zone = DateTime.now().setZone(tz).zone;
    const start = Date.UTC(2020, 0, 1);
    const end = Date.UTC(2030, 0, 1);
    const instants: number[] = [];
    // Every 20 minutes around offset changes, found by scanning day by day.
    for (let t = start; t < end; t += 86_400_000) {
      if (zone.offset(t) === zone.offset(t + 86_400_000)) continue;
      for (let u = t - 3_600_000; u < t + 90_000_000; u += 1_200_000) instants.push(u, u + 59_999);
    }
    let seed = 42;
    for (let i = 0; i < 2000; i++) {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      instants.push(start + Math.floor((seed / 2 ** 31) * (end - start)));
    }
    for (const ms of instants) expect(formatLocal(ms, tz)).toBe(viaLuxon(ms, tz));
  });

  it('matches luxon far from today, where zones had odd offsets', () => {
    for (const ms of [Date.UTC(1890, 5, 1, 12, 34), Date.UTC(1970, 0, 1), Date.UTC(9999, 11, 31, 23, 59)])
      for (const tz of ['Europe/Amsterdam', 'Asia/Kolkata', 'America/New_York', 'UTC'])
        expect(formatLocal(ms, tz)).toBe(viaLuxon(ms, tz));
  });
});

describe('parseInstant', () => {
  it('reads a date as the start of that day in the zone, and ISO times by their offset', () => {
    expect(parseInstant('2026-12-01', 'Europe/Berlin')).toBe(Date.parse('2026-11-30T23:00:00Z'));
    expect(parseInstant('2026-12-01', 'UTC')).toBe(Date.parse('2026-12-01T00:00:00Z'));
    expect(parseInstant('2026-12-01T10:00:00+01:00', 'UTC')).toBe(Date.parse('2026-12-01T09:00:00Z'));
    expect(parseInstant('2026-12-01T10:00:00', 'UTC')).toBeUndefined();
  });

  it('reads every date as luxon does, across zones with midnight transitions', () => {
    const zones = [
      'Europe/Berlin',
      'UTC',
      'America/Santiago',
      'America/Havana',
      'Asia/Tehran',
      'Pacific/Apia',
      'America/Asuncion',
      'Asia/Beirut',
      'Australia/Lord_Howe',
      'Asia/Kolkata',
    ];
    for (const zone of zones)
      for (let t = Date.UTC(2019, 0, 1); t < Date.UTC(2028, 0, 1); t += 86_400_000) {
        const date = new Date(t).toISOString().slice(0, 10);
        const luxon = DateTime.fromISO(date, { zone });
        expect(parseInstant(date, zone), `${date} ${zone}`).toBe(
          luxon.isValid ? luxon.toMillis() : undefined,
        );
      }
  });
});
