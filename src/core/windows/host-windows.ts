import type { Host } from '../inventory/host.js';
import { windowOccurrences, type OccurrenceContext, type WindowOccurrence } from './occurrences.js';
import type { WindowConfig } from './window-schema.js';
import { hostInScope } from './window-scope.js';

/** Occurrences looked at per window for one that no freeze cancels (two years of weekly windows). */
const HORIZON = 104;

/** A window's next occurrence as a run sees it. */
export interface WindowNext {
  window: WindowConfig;
  /** The next occurrence after now, frozen or not; absent when the schedule has none. */
  next?: WindowOccurrence;
  /** The next occurrence no freeze cancels (the same as `next` when that one is open). */
  nextOpen?: WindowOccurrence;
}

/** The window a host is patched in next: the earliest open occurrence among the windows covering it. */
export interface HostNextWindow {
  window: string;
  occurrence: WindowOccurrence;
  /** `occurrence.start` as a Date, for deciding. */
  at: Date;
}

/**
 * The windows of a configuration at one instant: each window's occurrences are expanded once, when the
 * object is made; each host then only matches scopes. The caller (one fleet run) owns it and drops it.
 */
export class HostWindows {
  readonly windows: readonly WindowNext[];

  constructor(windows: readonly WindowConfig[], now: Date, ctx: OccurrenceContext = {}) {
    this.windows = windows.map((w) => {
      const occ = windowOccurrences(w, now, HORIZON, ctx);
      const out: WindowNext = { window: w };
      if (occ[0]) out.next = occ[0];
      const open = occ.find((o) => o.frozen === null);
      if (open) out.nextOpen = open;
      return out;
    });
  }

  /** True when the configuration has at least one window. */
  get any(): boolean {
    return this.windows.length > 0;
  }

  /** The window named `name`, or undefined. */
  byName(name: string): WindowNext | undefined {
    return this.windows.find((w) => w.window.name === name);
  }

  /** True when some window's scope covers the host. */
  covers(host: Host): boolean {
    return this.windows.some((w) => hostInScope(w.window.scope, host));
  }

  /**
   * The host's next window: the earliest occurrence, after now and cancelled by no freeze, of any window
   * whose scope covers it (ties go to the window listed first). Undefined when no window covers the host
   * or none of its windows has an open occurrence within the horizon.
   */
  nextFor(host: Host): HostNextWindow | undefined {
    let best: WindowNext | undefined;
    for (const w of this.windows) {
      if (!w.nextOpen || !hostInScope(w.window.scope, host)) continue;
      if (!best || w.nextOpen.start.epochMilliseconds < best.nextOpen!.start.epochMilliseconds) best = w;
    }
    if (!best) return undefined;
    const occurrence = best.nextOpen!;
    return { window: best.window.name, occurrence, at: new Date(occurrence.start.epochMilliseconds) };
  }
}
