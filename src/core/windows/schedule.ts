import { Cron } from 'croner';
import { RRuleTemporal } from 'rrule-temporal';
import { Temporal } from 'temporal-polyfill';

/**
 * A parsed schedule: yields wall-clock times (no zone) in order. The libraries expand in UTC, where no
 * clock jumps, so every date the rule names comes back; the window's zone is applied afterwards by
 * {@link resolveWallClock} (expanding in the zone itself drops or moves starts in the spring gap).
 */
export interface Schedule {
  kind: 'rrule' | 'cron';
  /** The first wall-clock time strictly after `after` (itself a wall-clock time), or undefined. */
  nextAfter(after: Temporal.PlainDateTime): Temporal.PlainDateTime | undefined;
}

/**
 * RRULE periods (weekly with INTERVAL=2, monthly with INTERVAL) count from this Monday, so the same rule
 * gives the same dates whatever the clock says.
 */
export const RRULE_ANCHOR = '2000-01-03';

const toFloating = (p: Temporal.PlainDateTime) => new Date(p.toZonedDateTime('UTC').epochMilliseconds);
const fromFloating = (ms: number) =>
  Temporal.Instant.fromEpochMilliseconds(ms).toZonedDateTimeISO('UTC').toPlainDateTime();

/** True when `schedule` is written as cron (`cron: 30 2 * * 2#2`). */
export function isCronSchedule(schedule: string): boolean {
  return /^\s*cron\s*:/i.test(schedule);
}

function rruleSchedule(rule: string, start: Temporal.PlainTime): Schedule {
  const body = rule.trim().replace(/^RRULE:/i, '');
  const hhmmss = start.toString({ smallestUnit: 'second' }).replace(/:/g, '');
  const dtstart = `${RRULE_ANCHOR.replace(/-/g, '')}T${hhmmss}Z`;
  const r = new RRuleTemporal({ rruleString: `DTSTART:${dtstart}\nRRULE:${body}`, strict: true });
  return {
    kind: 'rrule',
    nextAfter(after) {
      const z = r.next(toFloating(after), false);
      return z ? fromFloating(z.epochMilliseconds) : undefined;
    },
  };
}

function cronSchedule(expr: string): Schedule {
  // Croner in UTC reads the fields as plain wall-clock values (no jump to skip or repeat).
  const c = new Cron(expr.trim(), { timezone: 'UTC' });
  return {
    kind: 'cron',
    nextAfter(after) {
      const d = c.nextRun(toFloating(after));
      return d ? fromFloating(d.getTime()) : undefined;
    },
  };
}

/**
 * Parses a schedule: an RRULE (`FREQ=MONTHLY;BYDAY=2TU`, at `start`) or `cron: MIN HOUR DOM MON DOW`
 * (with `#` and `L`; the time comes from the expression). Throws on a rule the libraries refuse.
 */
export function parseSchedule(schedule: string, start = Temporal.PlainTime.from('00:00')): Schedule {
  if (isCronSchedule(schedule)) return cronSchedule(schedule.replace(/^\s*cron\s*:/i, ''));
  return rruleSchedule(schedule, start);
}

/** Why a schedule is refused, or undefined when the libraries accept it. */
export function scheduleProblem(schedule: string): string | undefined {
  try {
    const s = parseSchedule(schedule);
    s.nextAfter(Temporal.PlainDateTime.from('2001-01-01T00:00'));
    return undefined;
  } catch (e) {
    return e instanceof Error ? e.message.split('\n')[0] : String(e);
  }
}

/**
 * The instant a wall-clock time names in a zone, as RFC 5545 reads it: a time in the spring-forward gap
 * is read with the offset before the gap (02:30 becomes 03:30), a time in the repeated autumn hour is
 * the first of the two. Temporal's `compatible` disambiguation is exactly this rule.
 */
export function resolveWallClock(local: Temporal.PlainDateTime, timeZone: string): Temporal.ZonedDateTime {
  return local.toZonedDateTime(timeZone, { disambiguation: 'compatible' });
}
