import { Temporal } from 'temporal-polyfill';
import { describe, expect, it } from 'vitest';
import { zoneObservances } from './zone-transitions.js';

const at = (s: string) => Temporal.Instant.from(s);
const rows = (zone: string, from: string, to: string) =>
  zoneObservances(zone, at(from), at(to)).map((o) => [o.kind, o.onset.toString(), o.offsetFrom, o.offsetTo]);

describe('zoneObservances (what a VTIMEZONE lists), each expected onset written out by hand', () => {
  it.each([
    [
      'Europe/Berlin',
      '2026-02-01T00:00:00Z',
      '2026-11-30T00:00:00Z',
      [
        ['standard', '2025-10-26T03:00:00', 7200, 3600],
        ['daylight', '2026-03-29T02:00:00', 3600, 7200],
        ['standard', '2026-10-25T03:00:00', 7200, 3600],
      ],
    ],
    [
      'America/New_York',
      '2026-03-08T06:30:00Z',
      '2026-03-09T00:00:00Z',
      [
        ['standard', '2025-11-02T02:00:00', -14400, -18000],
        ['daylight', '2026-03-08T02:00:00', -18000, -14400],
      ],
    ],
    [
      'Australia/Lord_Howe',
      '2026-09-01T00:00:00Z',
      '2026-10-05T00:00:00Z',
      [
        ['standard', '2026-04-05T02:00:00', 39600, 37800],
        ['daylight', '2026-10-04T02:00:00', 37800, 39600],
      ],
    ],
    [
      'Asia/Kolkata',
      '2026-01-01T00:00:00Z',
      '2026-12-31T00:00:00Z',
      [['standard', '1945-10-15T00:00:00', 23400, 19800]],
    ],
    ['UTC', '2026-01-01T00:00:00Z', '2026-12-31T00:00:00Z', [['standard', '1970-01-01T00:00:00', 0, 0]]],
  ])('%s from %s to %s', (zone, from, to, expected) => {
    expect(rows(zone, from, to)).toEqual(expected);
  });
});
