import { Temporal } from 'temporal-polyfill';

/** One observance of a zone for a VTIMEZONE: from `onset` (wall clock in the old offset) on, `offsetTo`. */
export interface ZoneObservance {
  /** DAYLIGHT when the offset grows at this transition, STANDARD otherwise (and for a zone without any) */
  kind: 'daylight' | 'standard';
  /** the local time the observance begins, read in `offsetFrom` (RFC 5545 DTSTART of the sub-component) */
  onset: Temporal.PlainDateTime;
  /** offsets in seconds east of UTC */
  offsetFrom: number;
  offsetTo: number;
}

const offsetAt = (zone: string, at: Temporal.Instant) => at.toZonedDateTimeISO(zone).offsetNanoseconds / 1e9;

function observance(zone: string, at: Temporal.Instant): ZoneObservance {
  const offsetFrom = offsetAt(zone, at.subtract({ nanoseconds: 1 }));
  const offsetTo = offsetAt(zone, at);
  return {
    kind: offsetTo > offsetFrom ? 'daylight' : 'standard',
    onset: at.add({ seconds: offsetFrom }).toZonedDateTimeISO('UTC').toPlainDateTime(),
    offsetFrom,
    offsetTo,
  };
}

/**
 * The zone's observances that cover [from, to]: the transition in force at `from` and every transition up
 * to `to`, read from the runtime's tz database through Temporal. A zone that never changed offset gets one
 * STANDARD observance from 1970. This is what a VTIMEZONE lists, so a calendar program reads each
 * DTSTART/DTEND with the zone's real offsets rather than its own (possibly older) rules.
 */
export function zoneObservances(
  zone: string,
  from: Temporal.Instant,
  to: Temporal.Instant,
): ZoneObservance[] {
  const first = from.toZonedDateTimeISO(zone).add({ nanoseconds: 1 }).getTimeZoneTransition('previous');
  if (!first) {
    const offset = offsetAt(zone, from);
    return [
      {
        kind: 'standard',
        onset: Temporal.PlainDateTime.from('1970-01-01T00:00'),
        offsetFrom: offset,
        offsetTo: offset,
      },
    ];
  }
  const out = [observance(zone, first.toInstant())];
  for (let t = first.getTimeZoneTransition('next'); t; t = t.getTimeZoneTransition('next')) {
    if (Temporal.Instant.compare(t.toInstant(), to) > 0) break;
    out.push(observance(zone, t.toInstant()));
  }
  return out;
}
