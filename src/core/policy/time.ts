import { DateTime, IANAZone } from 'luxon';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

/** Milliseconds in `h` hours. */
export const hours = (h: number): number => h * HOUR;
/** Milliseconds in `d` days (24-hour days: deadlines are exact durations, not calendar days). */
export const days = (d: number): number => d * DAY;

/** True when `tz` is an IANA time zone luxon knows. */
export function isTimeZone(tz: string): boolean {
  return IANAZone.isValidZone(tz);
}

/**
 * Parses a date or a time into epoch milliseconds. A date-only value (`2026-12-01`) means the start of that
 * day in `timeZone`; a full ISO 8601 time must carry its offset (`Z` or `+01:00`). Undefined when invalid.
 */
export function parseInstant(value: string, timeZone: string): number | undefined {
  let perZone = instantCache.get(timeZone);
  if (!perZone) instantCache.set(timeZone, (perZone = new Map()));
  if (perZone.has(value)) return perZone.get(value);
  const ms = parseUncached(value, timeZone);
  if (perZone.size > 50_000) perZone.clear();
  perZone.set(value, ms);
  return ms;
}
/** Per time zone, then per value: no key string is built on the hot path. */
const instantCache = new Map<string, Map<string, number | undefined>>();

function parseUncached(value: string, timeZone: string): number | undefined {
  const s = value.trim();
  if (/^\d{4}-\d{2}-\d{2}$/.test(s)) {
    const fast = localMidnight(s, timeZone);
    if (fast !== undefined) return fast;
    const d = DateTime.fromISO(s, { zone: timeZone });
    return d.isValid ? d.toMillis() : undefined;
  }
  if (!/(Z|[+-]\d{2}:?\d{2})$/i.test(s)) return undefined;
  const d = DateTime.fromISO(s, { setZone: true });
  return d.isValid ? d.toMillis() : undefined;
}

/**
 * The start of a calendar day (`2026-12-01`) in a zone from the zone's cached offsets, or undefined for
 * days within a day of an offset change, unknown zones, or a result that does not read back as that day at
 * 00:00: luxon then decides. KEV's due dates make this run for every known-exploited finding of a fleet.
 */
function localMidnight(date: string, timeZone: string): number | undefined {
  const name = timeZone === 'UTC' || timeZone === 'Etc/UTC' ? 'UTC' : timeZone;
  const zone = zoneOffsets(name);
  if (!zone) return undefined;
  const wall = Date.parse(`${date}T00:00:00Z`);
  if (Number.isNaN(wall)) return undefined;
  const offset = zone.offsetAt(wall);
  // Days near an offset change (a midnight skipped or repeated) are left to luxon.
  if (zone.offsetAt(wall - DAY) !== offset || zone.offsetAt(wall + DAY) !== offset) return undefined;
  const at = wall - offset * 60_000;
  return formatUncached(at, timeZone) === `${date} 00:00 ${name}` ? at : undefined;
}

/** An instant as ISO 8601 UTC (`2026-11-29T09:00:00.000Z`). */
export function isoUtc(ms: number): string {
  let s = isoCache.get(ms);
  if (s === undefined) {
    s = new Date(ms).toISOString();
    if (isoCache.size > 50_000) isoCache.clear();
    isoCache.set(ms, s);
  }
  return s;
}
const isoCache = new Map<number, string>();

/**
 * An instant for people: `2026-11-29 10:00 Europe/Berlin`, or `… UTC`. The same text luxon's
 * `toFormat('yyyy-MM-dd HH:mm')` gives, computed from the zone's offset (cached per hour) and cached per
 * zone and instant: a fleet's decisions share few instants, and luxon per call would dominate.
 */
export function formatLocal(ms: number, timeZone: string): string {
  let perZone = localCache.get(timeZone);
  if (!perZone) localCache.set(timeZone, (perZone = new Map()));
  let s = perZone.get(ms);
  if (s === undefined) {
    s = formatUncached(ms, timeZone);
    if (perZone.size > 50_000) perZone.clear();
    perZone.set(ms, s);
  }
  return s;
}
const localCache = new Map<string, Map<number, string>>();

function formatUncached(ms: number, timeZone: string): string {
  const name = timeZone === 'UTC' || timeZone === 'Etc/UTC' ? 'UTC' : timeZone;
  const zone = zoneOffsets(name);
  const offset = zone ? zone.offsetAt(ms) : NaN;
  const local = new Date(ms + offset * 60_000);
  const year = local.getUTCFullYear();
  // Outside four-digit years (and for zones luxon does not know) luxon's own formatting decides.
  if (!(year >= 1000 && year <= 9999))
    return `${DateTime.fromMillis(ms, { zone: name }).toFormat('yyyy-MM-dd HH:mm')} ${name}`;
  const two = (n: number) => (n < 10 ? `0${n}` : `${n}`);
  const date = `${year}-${two(local.getUTCMonth() + 1)}-${two(local.getUTCDate())}`;
  return `${date} ${two(local.getUTCHours())}:${two(local.getUTCMinutes())} ${name}`;
}

/** A zone's UTC offset in minutes at an instant, remembered per hour of UTC. */
interface ZoneOffsets {
  offsetAt(ms: number): number;
}
const zones = new Map<string, ZoneOffsets | undefined>();

function zoneOffsets(name: string): ZoneOffsets | undefined {
  if (zones.has(name)) return zones.get(name);
  const zone = DateTime.fromMillis(0, { zone: name }).zone;
  const out = zone.isValid ? hourlyOffsets((ms) => zone.offset(ms)) : undefined;
  zones.set(name, out);
  return out;
}

/**
 * Offsets change only at a zone's transitions, never twice within an hour: when the offsets at both ends
 * of an hour agree, they hold for the whole hour; otherwise the instant itself is asked.
 */
function hourlyOffsets(offset: (ms: number) => number): ZoneOffsets {
  const atHour = new Map<number, number>();
  const hourStart = (h: number) => {
    let o = atHour.get(h);
    if (o === undefined) {
      o = offset(h * HOUR);
      if (atHour.size > 100_000) atHour.clear();
      atHour.set(h, o);
    }
    return o;
  };
  return {
    offsetAt(ms: number): number {
      const h = Math.floor(ms / HOUR);
      const o = hourStart(h);
      return o === hourStart(h + 1) ? o : offset(ms);
    },
  };
}

/** The calendar date of an instant in a time zone (`2026-12-01`). */
export function localDate(ms: number, timeZone: string): string {
  return DateTime.fromMillis(ms, { zone: timeZone }).toFormat('yyyy-MM-dd');
}
