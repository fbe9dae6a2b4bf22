import { Temporal } from 'temporal-polyfill';
import { parseSchedule, resolveWallClock, type Schedule } from './schedule.js';
import { parseDuration, type FreezeConfig, type ReleaseConfig, type WindowConfig } from './window-schema.js';

/** One occurrence of a window: when it opens and closes, and what stands in its way. */
export interface WindowOccurrence {
  window: string;
  start: Temporal.Instant;
  end: Temporal.Instant;
  /** start and end as local times with their offset, e.g. 2026-03-29T03:30:00+02:00 */
  startLocal: string;
  endLocal: string;
  timeZone: string;
  /** the name of the freeze the occurrence overlaps, or null */
  frozen: string | null;
  /** releases that fall inside the occurrence (a conflict) */
  releases: string[];
}

/** A span of time (start inclusive, end exclusive). */
interface Span {
  name: string;
  start: Temporal.Instant;
  end: Temporal.Instant;
}

/** What a recurring thing needs to expand: a schedule, a day offset, a zone and a length. */
interface Recurrence {
  schedule: Schedule;
  offsetDays: number;
  timeZone: string;
  minutes: number;
}

const local = (z: Temporal.ZonedDateTime) => z.toString({ timeZoneName: 'never', smallestUnit: 'second' });

/**
 * Starts of a recurrence from the first one at or after `after`, in order. Each date the schedule names
 * is shifted by offsetDays, then read in the zone (see {@link resolveWallClock}).
 */
function* starts(r: Recurrence, after: Temporal.Instant): Generator<Temporal.ZonedDateTime> {
  // Begin a little early: the offset moves dates, and the zone's offset moves the wall clock.
  let cursor = after
    .toZonedDateTimeISO(r.timeZone)
    .toPlainDateTime()
    .subtract({ days: r.offsetDays + 2 });
  for (;;) {
    const next = r.schedule.nextAfter(cursor);
    if (!next) return;
    cursor = next;
    const z = resolveWallClock(next.add({ days: r.offsetDays }), r.timeZone);
    if (Temporal.Instant.compare(z.toInstant(), after) >= 0) yield z;
  }
}

function windowRecurrence(w: WindowConfig): Recurrence {
  const start = w.start ? Temporal.PlainTime.from(w.start) : undefined;
  return {
    schedule: parseSchedule(w.schedule, start),
    offsetDays: w.offsetDays ?? 0,
    timeZone: w.timeZone,
    minutes: parseDuration(w.duration) ?? 0,
  };
}

/** The spans of one freeze that overlap [from, to). */
function freezeSpans(f: FreezeConfig, from: Temporal.Instant, to: Temporal.Instant): Span[] {
  if ('from' in f) {
    const at = (v: string, end: boolean) =>
      v.includes('T')
        ? resolveWallClock(Temporal.PlainDateTime.from(v), f.timeZone)
        : Temporal.PlainDate.from(v)
            .add({ days: end ? 1 : 0 })
            .toZonedDateTime({ timeZone: f.timeZone });
    return [{ name: f.name, start: at(f.from, false).toInstant(), end: at(f.to, true).toInstant() }];
  }
  const minutes = parseDuration(f.duration) ?? 0;
  const r: Recurrence = {
    schedule: parseSchedule(f.schedule, Temporal.PlainTime.from(f.start ?? '00:00')),
    offsetDays: 0,
    timeZone: f.timeZone,
    minutes,
  };
  const spans: Span[] = [];
  for (const s of starts(r, from.subtract({ minutes }))) {
    if (Temporal.Instant.compare(s.toInstant(), to) >= 0) break;
    spans.push({ name: f.name, start: s.toInstant(), end: s.toInstant().add({ minutes }) });
  }
  return spans;
}

const overlaps = (a: Span, b: { start: Temporal.Instant; end: Temporal.Instant }) =>
  Temporal.Instant.compare(a.start, b.end) < 0 && Temporal.Instant.compare(b.start, a.end) < 0;

/** The instant a release names: its offset, else its zone. */
export function releaseInstant(r: ReleaseConfig): Temporal.Instant {
  if (/(Z|[+-]\d{2}:\d{2})$/.test(r.at)) return Temporal.Instant.from(r.at);
  return resolveWallClock(Temporal.PlainDateTime.from(r.at), r.timeZone ?? 'UTC').toInstant();
}

/** What {@link windowOccurrences} checks each occurrence against. */
export interface OccurrenceContext {
  freezes?: readonly FreezeConfig[];
  releases?: readonly ReleaseConfig[];
}

/**
 * The next `count` occurrences of a window that start at or after `now` (the clock is passed in), each
 * marked with the freeze it overlaps and the releases inside it. Duration is elapsed time, so a window
 * across a DST change is as long as it says; windows may cross midnight.
 */
export function windowOccurrences(
  w: WindowConfig,
  now: Date,
  count: number,
  ctx: OccurrenceContext = {},
): WindowOccurrence[] {
  const r = windowRecurrence(w);
  const out: WindowOccurrence[] = [];
  if (count <= 0) return out;
  for (const s of starts(r, Temporal.Instant.fromEpochMilliseconds(now.getTime()))) {
    const e = s.add({ minutes: r.minutes });
    const span = { name: w.name, start: s.toInstant(), end: e.toInstant() };
    const frozen = (ctx.freezes ?? [])
      .flatMap((f) => freezeSpans(f, span.start, span.end))
      .find((f) => overlaps(f, span));
    const releases = (ctx.releases ?? [])
      .filter((rel) => {
        const at = releaseInstant(rel);
        return Temporal.Instant.compare(at, span.start) >= 0 && Temporal.Instant.compare(at, span.end) < 0;
      })
      .map((rel) => rel.name);
    out.push({
      window: w.name,
      start: span.start,
      end: span.end,
      startLocal: local(s),
      endLocal: local(e),
      timeZone: w.timeZone,
      frozen: frozen?.name ?? null,
      releases,
    });
    if (out.length >= count) break;
  }
  return out;
}
