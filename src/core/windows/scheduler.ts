import { Temporal } from 'temporal-polyfill';
import { windowOccurrences, type WindowOccurrence } from './occurrences.js';
import { parseDuration, type FreezeConfig, type WindowConfig } from './window-schema.js';

/**
 * What the scheduler records about an occurrence. `override` is a freeze override with its approval
 * (who approved, who asked, why), recorded before the occurrence: the frozen occurrence then opens.
 * `acknowledged` is the window owner's acknowledgement of an occurrence (tier 1 hosts of a run need it).
 */
export const WINDOW_EVENTS = ['opened', 'closed', 'missed', 'frozen', 'override', 'acknowledged'] as const;
export type WindowEventKind = (typeof WINDOW_EVENTS)[number];

/** True when `v` names a window event. */
export const isWindowEventKind = (v: string): v is WindowEventKind =>
  (WINDOW_EVENTS as readonly string[]).includes(v);

/** One event about one occurrence of a window: at most one of each kind per occurrence. */
export interface WindowEvent {
  window: string;
  /** The occurrence's start, ISO 8601 UTC: with `window`, names the occurrence. */
  occurrence: string;
  event: WindowEventKind;
  /** When it was decided, ISO 8601 UTC. */
  at: string;
  /** Why, in words. */
  reason: string;
  /** `end` (ISO UTC) for every event; `lateBy` (minutes) when opened late; `freeze` when frozen. */
  detail: Record<string, unknown>;
}

/** What one pass of the scheduler decides from. No I/O: the clock is passed in. */
export interface SchedulerInput {
  windows: readonly WindowConfig[];
  freezes: readonly FreezeConfig[];
  now: Date;
  /**
   * Per window, the instant up to which an earlier pass looked at it. An occurrence that ended before
   * it is settled; a window without one is looked at from `now` on (its past is nobody's business).
   */
  watchedUntil: ReadonlyMap<string, Date>;
  /** The events already recorded for occurrences that may still need one (at least every open one). */
  recorded: readonly (Pick<WindowEvent, 'window' | 'occurrence' | 'event' | 'detail'> &
    Partial<Pick<WindowEvent, 'reason'>>)[];
}

/** What one pass decides: events to record, and when something is next due. */
export interface SchedulerDecision {
  events: WindowEvent[];
  /** The next start or end after `now` of any window, or undefined when none is ahead. */
  nextDueAt?: Date;
}

/** An occurrence opened at most this long after its start is on time; later, `lateBy` is recorded. */
export const ON_TIME_MINUTES = 2;

const TERMINAL: readonly WindowEventKind[] = ['closed', 'missed', 'frozen'];
/** ISO 8601 UTC as `windows next --json` writes it (`2026-12-12T01:30:00Z`, no zero fraction). */
const iso = (t: Temporal.Instant | Date | number) =>
  (t instanceof Temporal.Instant
    ? t
    : Temporal.Instant.fromEpochMilliseconds(typeof t === 'number' ? t : t.getTime())
  ).toString();
const key = (window: string, occurrence: string) => `${window}\u0000${occurrence}`;

/**
 * The occurrences of `w` that end after `from` and start at or before `now` (bounded per pass: a window
 * every hour down for a year is 8,760, still fine), and the first one starting after `now`.
 */
function occurrencesBetween(
  w: WindowConfig,
  freezes: readonly FreezeConfig[],
  from: Date,
  now: Date,
): { due: WindowOccurrence[]; next?: WindowOccurrence } {
  const minutes = parseDuration(w.duration) ?? 0;
  let cursor = new Date(from.getTime() - minutes * 60_000);
  const due: WindowOccurrence[] = [];
  for (;;) {
    const batch = windowOccurrences(w, cursor, 100, { freezes });
    for (const o of batch) {
      if (o.start.epochMilliseconds > now.getTime()) return { due, next: o };
      if (o.end.epochMilliseconds > from.getTime()) due.push(o);
    }
    if (batch.length < 100) return { due };
    cursor = new Date(batch[batch.length - 1]!.start.epochMilliseconds + 1);
  }
}

/** The instant after which no host may start in an occurrence: its end less the window's cutoff. */
export function cutoffAt(w: WindowConfig, o: Pick<WindowOccurrence, 'end'>): Temporal.Instant {
  return o.end.subtract({ minutes: w.cutoff ? (parseDuration(w.cutoff) ?? 0) : 0 });
}

/**
 * The event an occurrence nobody has recorded anything for needs now, if any. A frozen occurrence with an
 * approved override (its `override` event's detail) opens as if unfrozen, saying whose approval opened it.
 */
function decideNew(
  w: WindowConfig,
  o: WindowOccurrence,
  now: Date,
  watched?: Date,
  override?: Record<string, unknown>,
): WindowEvent | undefined {
  const at = iso(now);
  const base = { window: w.name, occurrence: iso(o.start), at };
  const end = iso(o.end);
  if (o.frozen && override) {
    const e = decideNew(w, { ...o, frozen: null }, now, watched);
    if (e?.event !== 'opened') return e;
    const by = `the freeze "${o.frozen}" is overridden with the approval of ${String(override.approver)}: ${String(override.reason)}`;
    return { ...e, reason: `${by}; ${e.reason}`, detail: { ...e.detail, override } };
  }
  if (o.frozen)
    return {
      ...base,
      event: 'frozen',
      reason: `the occurrence overlaps the freeze "${o.frozen}"; it does not open`,
      detail: { end, freeze: o.frozen },
    };
  const nowMs = now.getTime();
  const cutoff = cutoffAt(w, o);
  const down = watched
    ? `the scheduler was not running from ${iso(watched)}`
    : 'the scheduler was not running';
  if (nowMs >= o.end.epochMilliseconds)
    return {
      ...base,
      event: 'missed',
      reason: `${down} until after the occurrence ended at ${end}; its work goes to the next occurrence`,
      detail: { end },
    };
  if (nowMs >= cutoff.epochMilliseconds)
    return {
      ...base,
      event: 'missed',
      reason: `${down} until after the cutoff at ${iso(cutoff)} (no host starts in the last ${w.cutoff}); its work goes to the next occurrence`,
      detail: { end, cutoff: iso(cutoff) },
    };
  const lateBy = Math.floor((nowMs - o.start.epochMilliseconds) / 60_000);
  if (lateBy <= ON_TIME_MINUTES)
    return { ...base, event: 'opened', reason: 'its start has come', detail: { end } };
  return {
    ...base,
    event: 'opened',
    reason: `opened ${lateBy} minutes late: ${down} at its start; hosts may start until the cutoff at ${iso(cutoff)}`,
    detail: { end, lateBy },
  };
}

/**
 * One pass of the scheduler: for every window, what to record now. An occurrence whose start has come
 * opens (or is recorded `frozen` when it overlaps a freeze: it never opens); an opened occurrence whose end
 * has passed closes. An occurrence that passed whole while nobody watched is `missed`, never replayed:
 * its work is re-planned into the next occurrence. One that started while nobody watched and is still
 * running opens late if its cutoff has not come, else it is `missed`. Decisions depend only on the inputs
 * and on what is recorded, so a pass repeated after a crash decides the same events (which the store keeps
 * once each).
 */
export function schedulerPass(input: SchedulerInput): SchedulerDecision {
  const { now } = input;
  const byOccurrence = new Map<string, Set<WindowEventKind>>();
  const overrides = new Map<string, Record<string, unknown>>();
  for (const e of input.recorded) {
    const k = key(e.window, e.occurrence);
    let set = byOccurrence.get(k);
    if (!set) byOccurrence.set(k, (set = new Set()));
    set.add(e.event);
    if (e.event === 'override') overrides.set(k, { ...e.detail, reason: e.reason });
  }
  const events: WindowEvent[] = [];
  let next: number | undefined;
  const soon = (ms: number) => {
    if (ms > now.getTime() && (next === undefined || ms < next)) next = ms;
  };
  for (const w of input.windows) {
    const watched = input.watchedUntil.get(w.name);
    const from = watched && watched < now ? watched : now;
    const { due, next: upcoming } = occurrencesBetween(w, input.freezes, from, now);
    if (upcoming) soon(upcoming.start.epochMilliseconds);
    for (const o of due) {
      const k = key(w.name, iso(o.start));
      const seen = byOccurrence.get(k);
      if (seen && TERMINAL.some((t) => seen.has(t))) continue;
      if (seen?.has('opened')) continue; // closed below, from what was recorded
      const e = decideNew(w, o, now, watched, overrides.get(k));
      if (e) events.push(e);
      if (e?.event === 'opened') soon(o.end.epochMilliseconds);
    }
  }
  events.push(...closings(input, byOccurrence, soon));
  return { events, ...(next !== undefined ? { nextDueAt: new Date(next) } : {}) };
}

/** `closed` for every recorded opened occurrence whose recorded end has passed (even if its window is gone). */
function closings(
  input: SchedulerInput,
  byOccurrence: ReadonlyMap<string, ReadonlySet<WindowEventKind>>,
  soon: (ms: number) => void,
): WindowEvent[] {
  const out: WindowEvent[] = [];
  const nowMs = input.now.getTime();
  for (const e of input.recorded) {
    if (e.event !== 'opened' || byOccurrence.get(key(e.window, e.occurrence))?.has('closed')) continue;
    const end = typeof e.detail.end === 'string' ? Date.parse(e.detail.end) : NaN;
    if (Number.isNaN(end)) continue;
    if (end > nowMs) {
      soon(end);
      continue;
    }
    const watched = input.watchedUntil.get(e.window);
    const late = watched !== undefined && watched.getTime() < end && nowMs - end > ON_TIME_MINUTES * 60_000;
    out.push({
      window: e.window,
      occurrence: e.occurrence,
      event: 'closed',
      at: iso(input.now),
      reason: late ? `its end at ${iso(end)} passed while the scheduler was not running` : 'its end has come',
      detail: { end: iso(end) },
    });
  }
  return out;
}
