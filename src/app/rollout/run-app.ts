import {
  RunStore,
  type RunHostRecord,
  type RunRecord,
  type RunStepRecord,
} from '../../adapters/store/run-store.js';
import { WindowEventStore } from '../../adapters/store/window-event-store.js';
import { UserError } from '../../core/errors.js';
import type { RunSpec } from '../../core/rollout/run-spec.js';
import type { WindowEvent } from '../../core/windows/scheduler.js';
import { parseDuration } from '../../core/windows/window-schema.js';
import { windowOccurrences } from '../../core/windows/occurrences.js';
import { Temporal } from 'temporal-polyfill';
import { loadInventory, type Inventory, type InventoryInputs } from '../inventory.js';
import { createRun } from './create-run.js';
import { planRun, type OpsFactory, type RunRequest } from './plan-run.js';
import { realOpsFactory, realRunDeps } from './real-deps.js';
import { rollbackHosts, runController, type RunSummary } from './run-controller.js';
import type { RunEvent } from './run-deps.js';

/** What the run commands need besides the request. */
export type RunInputs = InventoryInputs & { dataDir: string; env: NodeJS.ProcessEnv };

/** Who and how: the actor, live events, and the id as soon as the run is recorded. */
export interface RunCallbacks {
  actor: string;
  onEvent: (e: RunEvent) => void;
  onCreated?: (id: string, spec: RunSpec) => void;
  /** record no run when no host has anything to do (the scheduler's runs) */
  skipEmpty?: boolean;
}

/** `patchwise run`: plans, records, and runs the run to its end in this process. */
export async function startRun(
  inputs: RunInputs,
  req: RunRequest,
  cb: RunCallbacks,
): Promise<RunSummary | undefined> {
  const planned = await planRun(inputs, req, (inv) => realOpsFactory(inputs, inv));
  if (cb.skipEmpty && planned.spec.hosts.length === 0) return undefined;
  const store = new RunStore((await inputs.openStore()).db);
  const id = await createRun(store, planned.spec, {
    actor: cb.actor,
    now: req.now,
    pid: process.pid,
    kind: req.emergency ? 'emergency' : 'window',
    ...(req.reason ? { reason: req.reason } : {}),
  });
  cb.onCreated?.(id, planned.spec);
  const families = Object.fromEntries(planned.spec.hosts.map((h) => [h.name, h.family]));
  return runController(id, await realRunDeps(inputs, planned.inventory, families, cb));
}

/**
 * The scheduler's run of a window it just opened: started in this process, its id recorded in the
 * `opened` event's detail; none when the window has nothing to patch (or no advisories to plan from).
 * A failure to start is recorded in the event's detail too, never thrown: the scheduler goes on.
 */
export async function startWindowRun(
  inputs: RunInputs,
  e: WindowEvent,
  now: Date,
  onEvent: (e: RunEvent) => void,
): Promise<{ run?: string; summary?: RunSummary; error?: string }> {
  const events = new WindowEventStore((await inputs.openStore()).db);
  let id: string | undefined;
  try {
    const summary = await startRun(
      inputs,
      { window: e.window, now },
      {
        actor: 'scheduler',
        onEvent,
        skipEmpty: true,
        onCreated: (rid) => {
          id = rid;
          void events.addDetail(e, { run: rid }).catch(() => undefined);
        },
      },
    );
    if (id) await events.addDetail(e, { run: id }); // surely there once the run ends
    return { ...(id ? { run: id } : {}), ...(summary ? { summary } : {}) };
  } catch (err) {
    if (err instanceof UserError && err.code === 'no-advisories') return {};
    const error = err instanceof Error ? err.message : String(err);
    await events.addDetail(e, { runError: error });
    return { ...(id ? { run: id } : {}), error };
  }
}

/** What a dry run would do to one host. */
export interface DryRunHost {
  host: string;
  targets: { name: string; from?: string; to: string }[];
  restorePoint: string;
  reboot: string;
  skip?: string;
  /** the package manager's simulation, as it printed it */
  simulation?: string;
  problem?: string;
}

/** `patchwise run --dry-run`: the plan per host with the package manager's simulation; records nothing. */
export async function dryRun(
  inputs: RunInputs,
  req: RunRequest,
  opsFactory: (inv: Inventory) => OpsFactory = (inv) => realOpsFactory(inputs, inv),
): Promise<{ spec: RunSpec; hosts: DryRunHost[] }> {
  let factory: OpsFactory | undefined;
  const planned = await planRun(inputs, req, (inv) => (factory = opsFactory(inv)));
  const byName = new Map(planned.inventory.hosts.map((h) => [h.name, h]));
  const hosts: DryRunHost[] = [];
  for (const h of planned.spec.hosts) {
    const d: DryRunHost = {
      host: h.name,
      targets: h.targets.map((t) => ({
        name: t.name,
        to: t.version,
        ...(h.previous.find((p) => p.name === t.name)
          ? { from: h.previous.find((p) => p.name === t.name)!.version }
          : {}),
      })),
      restorePoint: h.restorePoint,
      reboot: planned.spec.rollout.reboot,
    };
    if (h.skip) d.skip = h.skip;
    else if (h.targets.length && h.family && factory) {
      try {
        const sim = await factory(byName.get(h.name)!, h.family).simulate(h.targets);
        d.simulation = sim.commands.map((c) => `$ ${c.argv.join(' ')}\n${c.stdout}${c.stderr}`).join('\n');
        if (!sim.ok) d.problem = sim.message ?? 'the simulation failed';
      } catch (e) {
        d.problem = e instanceof Error ? e.message : String(e);
      }
    }
    hosts.push(d);
  }
  return { spec: planned.spec, hosts };
}

/** A heartbeat older than this means the controller that wrote it is gone. */
export const HEARTBEAT_STALE_MS = 30_000;

function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** True when another live controller holds the run (its process is alive and its heartbeat recent). */
export function heldByOther(run: RunRecord, now: Date, self = process.pid): boolean {
  if (run.state !== 'running' || run.controllerPid === undefined || run.controllerPid === self) return false;
  const beat = run.heartbeatAt ? now.getTime() - new Date(run.heartbeatAt).getTime() : Infinity;
  return beat < HEARTBEAT_STALE_MS && pidAlive(run.controllerPid);
}

async function requireRun(inputs: RunInputs, id: string): Promise<{ store: RunStore; run: RunRecord }> {
  const store = new RunStore((await inputs.openStore()).db);
  const run = await store.get(id);
  if (!run) throw new UserError('run-unknown', `No run ${id}.`, 'See: patchwise runs list');
  return { store, run };
}

/** `runs resume RUN`: continues a run another controller left (killed, or stopped). */
export async function resumeRun(inputs: RunInputs, id: string, cb: RunCallbacks): Promise<RunSummary> {
  const { run } = await requireRun(inputs, id);
  if (heldByOther(run, new Date()))
    throw new UserError(
      'run-busy',
      `Run ${id} is held by a live controller (process ${run.controllerPid}, heartbeat ${run.heartbeatAt}).`,
      'Wait for it to finish, or stop that process first.',
    );
  const inv = await loadInventory(inputs);
  const families = Object.fromEntries(run.spec.hosts.map((h) => [h.name, h.family]));
  return runController(id, await realRunDeps(inputs, inv, families, cb));
}

/** `runs rollback RUN [HOST]`: by hand, from the run's restore points. */
export async function rollbackRun(inputs: RunInputs, id: string, host: string | undefined, cb: RunCallbacks) {
  const { run } = await requireRun(inputs, id);
  if (heldByOther(run, new Date()))
    throw new UserError(
      'run-busy',
      `Run ${id} is still running (process ${run.controllerPid}).`,
      'Wait for it to end first.',
    );
  const inv = await loadInventory(inputs);
  const families = Object.fromEntries(run.spec.hosts.map((h) => [h.name, h.family]));
  return rollbackHosts(id, host ? [host] : undefined, await realRunDeps(inputs, inv, families, cb));
}

/** A run with its hosts and their steps, as `runs show` prints it. */
export interface RunView {
  run: RunRecord;
  hosts: (RunHostRecord & { steps: RunStepRecord[] })[];
}

/** `runs list`. */
export async function listRuns(inputs: Pick<InventoryInputs, 'openStore'>): Promise<RunRecord[]> {
  return new RunStore((await inputs.openStore()).db).list();
}

/** `runs show RUN`. */
export async function showRun(inputs: RunInputs, id: string): Promise<RunView> {
  const { store, run } = await requireRun(inputs, id);
  const steps = await store.steps(id);
  const hosts = (await store.hosts(id)).map((h) => ({ ...h, steps: steps.filter((s) => s.host === h.host) }));
  return { run, hosts };
}

/** What `windows ack` records. */
export interface AckRequest {
  window: string;
  occurrence?: string;
  by: string;
  actor: string;
  now: Date;
}

/**
 * Records the window owner's acknowledgement of one occurrence (the one open now or next when none is
 * named), as a window event `acknowledged` and a decision log entry `window-acknowledged`.
 * @throws UserError for an unknown window, one without an owner, someone other than its owner, or an
 *   occurrence it does not have.
 */
export async function acknowledgeWindow(
  inputs: RunInputs,
  r: AckRequest,
): Promise<{ event: WindowEvent; added: boolean }> {
  const { windows, freezes } = (await loadInventory(inputs)).config.config;
  const w = windows.find((x) => x.name === r.window);
  if (!w)
    throw new UserError('window-unknown', `No window named ${r.window}.`, 'See: patchwise windows list');
  if (!w.owner)
    throw new UserError(
      'window-no-owner',
      `The window ${w.name} has no owner to acknowledge it.`,
      'Set owner: in its configuration.',
    );
  if (r.by.trim() !== w.owner)
    throw new UserError(
      'ack-not-owner',
      `Only the window's owner (${w.owner}) acknowledges it, not ${r.by}.`,
    );
  const from = new Date(r.now.getTime() - (parseDuration(w.duration) ?? 0) * 60_000);
  const occs = windowOccurrences(w, from, 400, { freezes });
  let wanted: string | undefined;
  if (r.occurrence) {
    try {
      wanted = Temporal.Instant.from(r.occurrence).toString();
    } catch {
      throw new UserError(
        'ack-occurrence',
        `--occurrence takes an ISO 8601 time with a zone, not ${JSON.stringify(r.occurrence.slice(0, 60))}.`,
      );
    }
  }
  const occ = wanted
    ? occs.find((o) => o.start.toString() === wanted)
    : occs.find((o) => o.end.epochMilliseconds > r.now.getTime());
  if (!occ)
    throw new UserError(
      'ack-occurrence',
      `The window ${w.name} has no occurrence ${wanted ? `starting ${wanted}` : 'ahead'}.`,
      `See: patchwise windows next --window ${w.name}`,
    );
  const event: WindowEvent = {
    window: w.name,
    occurrence: occ.start.toString(),
    event: 'acknowledged',
    at: r.now.toISOString(),
    reason: `acknowledged by its owner ${w.owner}`,
    detail: { by: r.by.trim(), actor: r.actor },
  };
  const db = (await inputs.openStore()).db;
  const added = (await new WindowEventStore(db).record([event], new Map())).length > 0;
  if (added)
    await new RunStore(db).log(event.at, r.actor, 'window-acknowledged', `${w.name}@${event.occurrence}`, {
      by: r.by.trim(),
    });
  return { event, added };
}
