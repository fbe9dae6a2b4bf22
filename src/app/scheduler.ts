import { setTimeout as sleep } from 'node:timers/promises';
import { Temporal } from 'temporal-polyfill';
import { RunStore } from '../adapters/store/run-store.js';
import { WindowEventStore } from '../adapters/store/window-event-store.js';
import { UserError } from '../core/errors.js';
import type { Host } from '../core/inventory/host.js';
import { windowOccurrences } from '../core/windows/occurrences.js';
import { schedulerPass, type WindowEvent } from '../core/windows/scheduler.js';
import { parseDuration, type WindowConfig } from '../core/windows/window-schema.js';
import { hostInScope } from '../core/windows/window-scope.js';
import { FleetRun } from './fleet-pipeline.js';
import { loadInventory, type InventoryInputs } from './inventory.js';
import { notifyPass } from './notify.js';

/**
 * What an opened window would patch, recorded with its `opened` event (the run it starts, if any, is added as `run`):
 * the hosts in scope, and of those scanned, how many have open findings.
 */
export interface WindowPlanSummary {
  /** hosts the window's scope covers in the inventory */
  hosts: number;
  /** of those, hosts with a successful scan (null when not assessed) */
  scanned: number | null;
  /** of those, hosts with at least one open finding (null when not assessed) */
  withFindings: number | null;
  /** open findings on them in all (null when not assessed) */
  findings: number | null;
  /** why the findings were not counted, when they were not */
  note?: string;
}

/** Past this many hosts in scope the summary gives the count only: opening a window stays quick. */
export const PLAN_HOST_LIMIT = 2000;

/** The window's plan summary at `now`: scope from the inventory, findings through the fleet pipeline. */
export async function planSummary(
  inputs: InventoryInputs,
  w: WindowConfig,
  inventory: readonly Host[],
  now: Date,
): Promise<WindowPlanSummary> {
  const names = inventory.filter((h) => hostInScope(w.scope, h)).map((h) => h.name);
  const none = { scanned: null, withFindings: null, findings: null };
  if (names.length === 0) return { hosts: 0, ...none, note: 'the scope covers no host' };
  if (names.length > PLAN_HOST_LIMIT)
    return {
      hosts: names.length,
      ...none,
      note: `more than ${PLAN_HOST_LIMIT} hosts: counted, not assessed`,
    };
  let run: FleetRun;
  try {
    run = await FleetRun.open(inputs, { hosts: names, now, record: false });
  } catch (e) {
    if (e instanceof UserError) return { hosts: names.length, ...none, note: e.message };
    throw e;
  }
  let scanned = 0;
  let withFindings = 0;
  let findings = 0;
  for await (const h of run.hosts()) {
    scanned++;
    const n = h.decided?.findings ?? 0;
    if (n > 0) withFindings++;
    findings += n;
  }
  return { hosts: names.length, scanned, withFindings, findings };
}

/** What one pass recorded (only what this pass added) and when the next start or end is due. */
export interface PassResult {
  events: WindowEvent[];
  nextDueAt?: Date;
}

/**
 * One pass of the scheduler at `now`: read the configuration and what is recorded, decide (see
 * {@link schedulerPass}), add each opened window's plan summary, and record the events with the new watch
 * marks in one transaction. Repeating a pass, or running it after a kill, adds nothing twice.
 */
export async function runSchedulerPass(inputs: InventoryInputs, now: Date): Promise<PassResult> {
  const inv = await loadInventory(inputs);
  const { windows, freezes } = inv.config.config;
  const events = new WindowEventStore((await inputs.openStore()).db);
  const watchedUntil = await events.watched();
  const decision = schedulerPass({
    windows,
    freezes,
    now,
    watchedUntil,
    recorded: await events.relevant(lookbackStart(windows, watchedUntil, now)),
  });
  for (const e of decision.events) {
    const w = windows.find((x) => x.name === e.window);
    if (e.event === 'opened' && w) e.detail.plan = await planSummary(inputs, w, inv.hosts, now);
  }
  const marks = new Map(windows.map((w) => [w.name, now]));
  return { events: await events.record(decision.events, marks), nextDueAt: decision.nextDueAt };
}

/** The earliest occurrence start a pass may look at (whole minutes, ISO UTC: compares as text). */
function lookbackStart(
  windows: readonly WindowConfig[],
  watched: ReadonlyMap<string, Date>,
  now: Date,
): string {
  let ms = now.getTime();
  for (const w of windows) {
    const from = Math.min(watched.get(w.name)?.getTime() ?? ms, now.getTime());
    ms = Math.min(ms, from - (parseDuration(w.duration) ?? 0) * 60_000);
  }
  return Temporal.Instant.fromEpochMilliseconds(Math.floor(ms / 60_000) * 60_000 - 60_000).toString();
}

/** How the scheduler loop runs. */
export interface SchedulerLoopOptions {
  /** The clock (the CLI passes one that starts at `--now` and moves on). */
  clock: () => Date;
  /** Seconds between passes at most; it wakes sooner for a start or end due before then. */
  intervalSeconds: number;
  /** Ends the loop after the current pass. */
  signal: AbortSignal;
  onEvent: (e: WindowEvent) => void;
  /** Starts the run of a window this pass opened (absent: `--no-runs`); awaited before the next pass. */
  startRun?: (e: WindowEvent) => Promise<void>;
  /** Told why a notification pass failed (the loop goes on; the outbox keeps what was not sent). */
  onNote?: (message: string) => void;
}

/** Runs passes until `signal` aborts: every interval, or at the next start or end when that is sooner. */
export async function runSchedulerLoop(inputs: InventoryInputs, o: SchedulerLoopOptions): Promise<void> {
  while (!o.signal.aborted) {
    const now = o.clock();
    const pass = await runSchedulerPass(inputs, now);
    pass.events.forEach(o.onEvent);
    if (o.startRun) for (const e of pass.events) if (e.event === 'opened') await o.startRun(e);
    await notifyPass(inputs, now).catch((e: unknown) =>
      o.onNote?.(`notifications: ${e instanceof Error ? e.message : String(e)}`),
    );
    let wait = o.intervalSeconds * 1000;
    if (pass.nextDueAt) wait = Math.min(wait, pass.nextDueAt.getTime() - now.getTime());
    try {
      await sleep(Math.max(wait, 100), undefined, { signal: o.signal });
    } catch {
      return; // aborted while sleeping
    }
  }
}

/** Recorded window events, oldest first; only `window`'s when given. */
export async function listWindowEvents(inputs: Pick<InventoryInputs, 'openStore'>, window?: string) {
  return new WindowEventStore((await inputs.openStore()).db).list(window);
}

/** What overriding a freeze for one occurrence needs: whose approval, who asks, and why. */
export interface FreezeOverrideRequest {
  window: string;
  /** The occurrence's start (ISO 8601); the window's next frozen occurrence when absent. */
  occurrence?: string;
  approver: string;
  reason: string;
  /** Who asks (`$PATCHWISE_ACTOR` or the login name): never the approver. */
  requestedBy: string;
  now: Date;
}

/**
 * Records an approved override of the freeze that cancels one occurrence of a window (an `override`
 * event: approver, requester, why, the freeze), so the scheduler opens that occurrence. The override is
 * listed with the other events (`windows events`).
 *
 * @throws UserError for an unknown window, an occurrence that no freeze cancels, a missing reason or
 *   approver, an approver who is the requester, or an occurrence already overridden.
 */
export async function recordFreezeOverride(
  inputs: InventoryInputs,
  r: FreezeOverrideRequest,
): Promise<WindowEvent> {
  const { windows, freezes } = (await loadInventory(inputs)).config.config;
  const w = windows.find((x) => x.name === r.window);
  if (!w)
    throw new UserError('window-unknown', `No window named ${r.window}.`, 'See: patchwise windows list');
  if (!r.reason.trim())
    throw new UserError('override-reason', 'Say why the freeze is overridden (--reason).');
  if (!r.approver.trim())
    throw new UserError('override-approver', 'A freeze override needs an approver (--approver).');
  if (r.approver.trim() === r.requestedBy)
    throw new UserError(
      'override-self-approved',
      `${r.requestedBy} cannot approve their own freeze override.`,
      'Name another approver: someone answerable for the freeze.',
    );
  const wanted = r.occurrence ? instant(r.occurrence) : undefined;
  const o = windowOccurrences(w, r.now, 400, { freezes }).find((x) =>
    wanted ? x.start.toString() === wanted : x.frozen !== null,
  );
  if (!o || !o.frozen) {
    throw new UserError(
      'override-not-frozen',
      wanted
        ? `No freeze cancels the occurrence of ${w.name} starting ${wanted}: there is nothing to override.`
        : `No upcoming occurrence of ${w.name} is cancelled by a freeze.`,
      `See: patchwise windows next --window ${w.name}`,
    );
  }
  const event: WindowEvent = {
    window: w.name,
    occurrence: o.start.toString(),
    event: 'override',
    at: r.now.toISOString(),
    reason: r.reason.trim(),
    detail: {
      approver: r.approver.trim(),
      requestedBy: r.requestedBy,
      freeze: o.frozen,
      end: o.end.toString(),
    },
  };
  const db = (await inputs.openStore()).db;
  const added = await new WindowEventStore(db).record([event], new Map());
  if (added.length === 0)
    throw new UserError(
      'override-exists',
      `The occurrence of ${w.name} starting ${event.occurrence} is already overridden.`,
      `See: patchwise windows events --window ${w.name}`,
    );
  // Overrides go on the decision log too, with approvals and run steps: one record of who decided what.
  await new RunStore(db).log(event.at, r.requestedBy, 'freeze-override', `${w.name}@${event.occurrence}`, {
    approver: event.detail.approver,
    freeze: o.frozen,
    reason: event.reason,
  });
  return event;
}

function instant(v: string): string {
  try {
    return Temporal.Instant.from(v).toString();
  } catch {
    throw new UserError(
      'override-occurrence',
      `--occurrence takes the occurrence's start as an ISO 8601 time with a zone, not ${JSON.stringify(v.slice(0, 60))}.`,
      'Copy it from: patchwise windows next --json (the "start" field)',
    );
  }
}
