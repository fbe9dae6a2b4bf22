import ICAL from 'ical.js';
import { Temporal } from 'temporal-polyfill';
import type { WindowOccurrence } from './occurrences.js';
import type { WindowConfig } from './window-schema.js';
import { describeScope } from './window-scope.js';
import { zoneObservances } from './zone-transitions.js';

/** One occurrence to put in the feed, with the window it belongs to (for the five parts). */
export interface IcsOccurrence {
  occurrence: WindowOccurrence;
  window: WindowConfig;
}

// RFC 5545 3.1: lines SHOULD NOT be longer than 75 octets. ical.js counts octets but lets a continuation
// line carry 75 of them after its leading space (76 in all), so fold one octet earlier.
const FOLD_OCTETS = 74;

const timeData = (p: Temporal.PlainDateTime) => ({
  year: p.year,
  month: p.month,
  day: p.day,
  hour: p.hour,
  minute: p.minute,
  second: p.second,
  isDate: false,
});

const utcTime = (at: Temporal.Instant) =>
  ICAL.Time.fromData(timeData(at.toZonedDateTimeISO('UTC').toPlainDateTime()), ICAL.Timezone.utcTimezone);

function vtimezone(zone: string, from: Temporal.Instant, to: Temporal.Instant): ICAL.Component {
  const tz = new ICAL.Component('vtimezone');
  tz.addPropertyWithValue('tzid', zone);
  for (const o of zoneObservances(zone, from, to)) {
    const sub = new ICAL.Component(o.kind);
    sub.addPropertyWithValue('dtstart', ICAL.Time.fromData(timeData(o.onset)));
    sub.addPropertyWithValue('tzoffsetfrom', ICAL.UtcOffset.fromSeconds(o.offsetFrom));
    sub.addPropertyWithValue('tzoffsetto', ICAL.UtcOffset.fromSeconds(o.offsetTo));
    tz.addSubcomponent(sub);
  }
  return tz;
}

/**
 * DTSTART or DTEND as a local time with TZID, which calendar programs show in the window's zone. RFC 5545
 * reads a repeated local time as its first occurrence, so an instant in the second pass of a repeated
 * hour (an end after an autumn change) cannot be written that way: it is written in UTC instead.
 */
function timeProperty(name: string, at: Temporal.Instant, zone: string): ICAL.Property {
  const prop = new ICAL.Property(name);
  const local = at.toZonedDateTimeISO(zone).toPlainDateTime();
  const readBack = local.toZonedDateTime(zone, { disambiguation: 'compatible' }).toInstant();
  if (!readBack.equals(at)) {
    prop.setValue(utcTime(at));
    return prop;
  }
  prop.setValue(ICAL.Time.fromData(timeData(local)));
  prop.setParameter('tzid', zone);
  return prop;
}

const stated = (v: string | undefined) => v ?? 'not stated';

function description({ occurrence: o, window: w }: IcsOccurrence): string {
  const impact = w.impact === 'auto' ? 'auto (computed from the plan before the window opens)' : w.impact;
  return [
    `Maintenance window ${w.name} (${w.timeZone}), ${w.duration}${w.cutoff ? `, cutoff ${w.cutoff}` : ''}`,
    o.frozen ? `CANCELLED: frozen by ${o.frozen}; no host is patched in this occurrence.` : '',
    `Scope: ${describeScope(w.scope)}`,
    `Expected impact: ${stated(impact)}`,
    `Owner: ${stated(w.owner)}`,
    `Rollback path: ${stated(w.rollback)}`,
    `Success criteria: ${w.success?.length ? w.success.join(', ') : 'not stated'}`,
    o.releases.length ? `Release conflict: ${o.releases.join(', ')}` : '',
  ]
    .filter(Boolean)
    .join('\n');
}

/** A UID that stays the same for the same window and start, so a re-import updates the event. */
const uid = (o: WindowOccurrence) =>
  `${o.window}-${o.start.toString().replace(/[-:]/g, '').replace(/\.\d+/, '')}@patchwise`;

function vevent(item: IcsOccurrence, stamp: ICAL.Time): ICAL.Component {
  const o = item.occurrence;
  const ev = new ICAL.Component('vevent');
  ev.addPropertyWithValue('uid', uid(o));
  ev.addPropertyWithValue('dtstamp', stamp);
  ev.addProperty(timeProperty('dtstart', o.start, o.timeZone));
  ev.addProperty(timeProperty('dtend', o.end, o.timeZone));
  ev.addPropertyWithValue(
    'summary',
    o.frozen ? `Cancelled (freeze ${o.frozen}): maintenance ${o.window}` : `Maintenance: ${o.window}`,
  );
  ev.addPropertyWithValue('description', description(item));
  ev.addPropertyWithValue('status', o.frozen ? 'CANCELLED' : 'CONFIRMED');
  ev.addPropertyWithValue('transp', 'OPAQUE');
  if (o.frozen) ev.addPropertyWithValue('x-patchwise-freeze', o.frozen);
  return ev;
}

/**
 * An iCalendar feed (RFC 5545) of the occurrences: one VTIMEZONE per zone used, written from the zone's
 * real transitions around the occurrences, and one VEVENT per occurrence with the five parts in its
 * DESCRIPTION; a frozen occurrence is STATUS:CANCELLED and names its freeze. `now` is the DTSTAMP.
 */
export function windowsIcs(items: readonly IcsOccurrence[], now: Date): string {
  const cal = new ICAL.Component('vcalendar');
  cal.addPropertyWithValue('prodid', '-//patchwise//windows ics//EN');
  cal.addPropertyWithValue('version', '2.0');
  cal.addPropertyWithValue('calscale', 'GREGORIAN');
  cal.addPropertyWithValue('method', 'PUBLISH');
  cal.addPropertyWithValue('x-wr-calname', 'patchwise maintenance windows');
  const zones = new Map<string, { from: Temporal.Instant; to: Temporal.Instant }>();
  for (const { occurrence: o } of items) {
    const z = zones.get(o.timeZone);
    zones.set(o.timeZone, {
      from: z && Temporal.Instant.compare(z.from, o.start) < 0 ? z.from : o.start,
      to: z && Temporal.Instant.compare(z.to, o.end) > 0 ? z.to : o.end,
    });
  }
  for (const [zone, span] of zones) cal.addSubcomponent(vtimezone(zone, span.from, span.to));
  const stamp = utcTime(Temporal.Instant.fromEpochMilliseconds(now.getTime()));
  for (const item of items) cal.addSubcomponent(vevent(item, stamp));
  const fold = ICAL.foldLength;
  ICAL.foldLength = FOLD_OCTETS;
  try {
    return cal.toString() + '\r\n';
  } finally {
    ICAL.foldLength = fold;
  }
}
