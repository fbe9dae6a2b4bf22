import { UserError } from '../core/errors.js';
import type { Config } from '../core/config/config-schema.js';
import type { WindowConfig } from '../core/windows/window-schema.js';
import { missingParts } from '../core/windows/window-schema.js';
import { hostInScope } from '../core/windows/window-scope.js';
import { windowOccurrences, type WindowOccurrence } from '../core/windows/occurrences.js';
import { loadConfigOrEmpty, loadInventory, requireHost, type InventoryInputs } from './inventory.js';

/** One occurrence as `windows next --json` prints it. */
export interface OccurrenceView {
  window: string;
  /** ISO 8601 UTC */
  start: string;
  end: string;
  /** local times with their offset, in timeZone */
  startLocal: string;
  endLocal: string;
  timeZone: string;
  /** the freeze the occurrence overlaps, or null */
  frozen: string | null;
  /** releases inside the occurrence (conflicts) */
  releases: string[];
}

/** One window as `windows list` shows it. */
export interface WindowView {
  name: string;
  schedule: string;
  offsetDays: number;
  start?: string;
  duration: string;
  cutoff?: string;
  timeZone: string;
  next?: OccurrenceView;
  hostsInScope: number;
  scope?: WindowConfig['scope'];
  impact?: string;
  owner?: string;
  rollback?: string;
  success?: string[];
  /** which of the five parts the window leaves out (allowed below tier 2) */
  missing: string[];
}

/** The view of one occurrence. */
export function occurrenceView(o: WindowOccurrence): OccurrenceView {
  return {
    window: o.window,
    start: o.start.toString(),
    end: o.end.toString(),
    startLocal: o.startLocal,
    endLocal: o.endLocal,
    timeZone: o.timeZone,
    frozen: o.frozen,
    releases: o.releases,
  };
}

function pick(windows: WindowConfig[], name: string | undefined): WindowConfig[] {
  if (!name) return windows;
  const w = windows.find((x) => x.name === name);
  if (w) return [w];
  throw new UserError(
    'window-unknown',
    `No window named "${name}" in the configuration.`,
    windows.length
      ? `Windows: ${windows.map((x) => x.name).join(', ')}. See: patchwise windows list`
      : 'Add one under windows: in patchwise.yaml; see docs/windows.md.',
  );
}

/** What `windows next` and `windows ics` ask for. */
export interface NextOptions {
  window?: string;
  count: number;
  now: Date;
}

/** One occurrence with the window it belongs to. */
export interface WindowOccurrenceOf {
  window: WindowConfig;
  occurrence: WindowOccurrence;
}

function occurrencesOf(config: Config, windows: WindowConfig[], o: NextOptions): WindowOccurrenceOf[] {
  const ctx = { freezes: config.freezes, releases: config.releases };
  return windows
    .flatMap((w) =>
      windowOccurrences(w, o.now, o.count, ctx).map((occurrence) => ({ window: w, occurrence })),
    )
    .sort(
      (a, b) =>
        a.occurrence.start.epochMilliseconds - b.occurrence.start.epochMilliseconds ||
        a.window.name.localeCompare(b.window.name),
    )
    .slice(0, o.count);
}

/**
 * The next `count` occurrences starting at or after `now`, across the chosen windows in start order,
 * each marked with the freeze it overlaps and the releases inside it. Reads the configuration only.
 */
export function nextOccurrences(
  inputs: Pick<InventoryInputs, 'configPath' | 'configExplicit' | 'cwd' | 'env'>,
  o: NextOptions,
): OccurrenceView[] {
  const { config } = loadConfigOrEmpty(inputs);
  return occurrencesOf(config, pick(config.windows, o.window), o).map((x) => occurrenceView(x.occurrence));
}

/** What `windows next --host H` found: the windows covering the host and their next occurrences. */
export interface HostOccurrences {
  host: string;
  /** names of the windows whose scope covers the host; empty when the host is in no window */
  windows: string[];
  occurrences: OccurrenceView[];
}

/**
 * The next occurrences of the windows whose scope covers `host` (and `o.window`, if named). The host must
 * be in the inventory; a host in no window gets an empty list, not an error.
 */
export async function nextOccurrencesForHost(
  inputs: InventoryInputs,
  host: string,
  o: NextOptions,
): Promise<HostOccurrences> {
  const inv = await loadInventory(inputs);
  const { config } = inv.config;
  const h = requireHost(inv, host).host;
  const covering = pick(config.windows, o.window).filter((w) => hostInScope(w.scope, h));
  return {
    host,
    windows: covering.map((w) => w.name),
    occurrences: occurrencesOf(config, covering, o).map((x) => occurrenceView(x.occurrence)),
  };
}

/** The iCalendar feed of the next `count` occurrences (the same ones `windows next` lists). */
export async function windowsIcsFeed(
  inputs: Pick<InventoryInputs, 'configPath' | 'configExplicit' | 'cwd' | 'env'>,
  o: NextOptions,
): Promise<string> {
  const { config } = loadConfigOrEmpty(inputs);
  const { windowsIcs } = await import('../core/windows/windows-ics.js');
  return windowsIcs(occurrencesOf(config, pick(config.windows, o.window), o), o.now);
}

/** Every window with its next occurrence, the hosts its scope covers in the inventory, and the five parts. */
export async function listWindows(inputs: InventoryInputs, now: Date): Promise<WindowView[]> {
  const inv = await loadInventory(inputs);
  const { windows, freezes, releases } = inv.config.config;
  return windows.map((w) => {
    const [next] = windowOccurrences(w, now, 1, { freezes, releases });
    return {
      name: w.name,
      schedule: w.schedule,
      offsetDays: w.offsetDays ?? 0,
      start: w.start,
      duration: w.duration,
      cutoff: w.cutoff,
      timeZone: w.timeZone,
      next: next && occurrenceView(next),
      hostsInScope: inv.hosts.filter((h) => hostInScope(w.scope, h)).length,
      scope: w.scope,
      impact: w.impact,
      owner: w.owner,
      rollback: w.rollback,
      success: w.success,
      missing: missingParts(w),
    };
  });
}
