import type { HostOps } from '../../adapters/patching/host-ops.js';
import { latestScanSummaries } from '../../adapters/store/scan-store.js';
import { OperationalError, UserError } from '../../core/errors.js';
import type { RollbackRequirement } from '../../core/policy/actions.js';
import type { Host } from '../../core/inventory/host.js';
import { familyOfOs, type OsFamily } from '../../core/inventory/os-families.js';
import { resolveRollout, restorePointFor, type ResolvedRollout } from '../../core/rollout/rollout-options.js';
import type { RunHostSpec, RunSpec, VersionedPackage } from '../../core/rollout/run-spec.js';
import { compareVersions } from '../../core/versions/compare-versions.js';
import { ecosystemForOs } from '../../core/versions/ecosystem.js';
import {
  windowOccurrences,
  type OccurrenceContext,
  type WindowOccurrence,
} from '../../core/windows/occurrences.js';
import { parseDuration, type WindowConfig } from '../../core/windows/window-schema.js';
import { hostInScope } from '../../core/windows/window-scope.js';
import { FleetRun, type FleetHost } from '../fleet-pipeline.js';
import { loadInventory, requireHost, type Inventory, type InventoryInputs } from '../inventory.js';

/** What `patchwise run` asks for. */
export interface RunRequest {
  window?: string;
  emergency?: boolean;
  reason?: string;
  hosts?: string[];
  packages?: VersionedPackage[];
  now: Date;
}

/** Opens a host's patching operations for its package family (the CLI passes `hostOpsFor` over its transport). */
export type OpsFactory = (host: Host, family: OsFamily) => HostOps;

/** A planned run: its spec, and the inventory it was planned from. */
export interface PlannedRun {
  spec: RunSpec;
  inventory: Inventory;
}

/**
 * Plans a run: the window's hosts (or, for an emergency, the inventory's), narrowed to `--hosts`; each
 * host's packages from the fleet pipeline's plan (in a window, those that fit its occurrence), resolved
 * to the host's candidate versions, or exactly `--packages`. Asks each host for its candidate and
 * installed versions; a host that cannot be asked, or whose candidate is older than the fix, is kept in
 * the run as skipped with the reason.
 * @throws UserError for an unknown window or host, a window not open at `now`, or a host out of scope.
 */
export async function planRun(
  inputs: InventoryInputs,
  req: RunRequest,
  opsFactory: (inv: Inventory) => OpsFactory,
): Promise<PlannedRun> {
  const inv = await loadInventory(inputs);
  const opsFor = opsFactory(inv);
  const cfg = inv.config.config;
  let w: WindowConfig | undefined;
  let occ: WindowOccurrence | undefined;
  if (req.window) {
    w = cfg.windows.find((x) => x.name === req.window);
    if (!w)
      throw new UserError('window-unknown', `No window named ${req.window}.`, 'See: patchwise windows list');
    occ = openOccurrence(w, req.now, cfg.freezes);
  }
  let hosts = w ? inv.hosts.filter((h) => hostInScope(w.scope, h)) : inv.hosts;
  if (req.hosts?.length) {
    for (const n of req.hosts) requireHost(inv, n);
    const out = req.hosts.filter((n) => !hosts.some((h) => h.name === n));
    if (out.length)
      throw new UserError(
        'run-host-out-of-scope',
        `Not in the window's scope: ${out.join(', ')}.`,
        'Use --emergency for hosts outside it.',
      );
    hosts = hosts.filter((h) => req.hosts!.includes(h.name));
  }
  const rollout = resolveRollout(cfg.rollout, w?.rollout);
  const families: Record<string, OsFamily> = {};
  const specs = req.packages
    ? await exactHosts(
        hosts,
        req.packages,
        rollout,
        opsFor,
        families,
        Boolean(req.hosts?.length),
        await scannedOs(inputs, hosts),
      )
    : await plannedHosts(inputs, inv, hosts, occ, rollout, opsFor, families, req.now);
  const spec: RunSpec = { rollout, hosts: specs, packagesGiven: Boolean(req.packages) };
  if (w && occ) {
    const cut = w.cutoff ? (parseDuration(w.cutoff) ?? 0) : 0;
    spec.window = {
      name: w.name,
      occurrence: occ.start.toString(),
      end: occ.end.toString(),
      ...(cut ? { cutoffAt: new Date(occ.end.epochMilliseconds - cut * 60_000).toISOString() } : {}),
      ...(w.owner ? { owner: w.owner } : {}),
    };
  }
  if (req.emergency) spec.emergency = { reason: req.reason ?? '' };
  for (const h of specs) if (families[h.name]) h.family = families[h.name];
  return { spec, inventory: inv };
}

/** The occurrence of `w` open at `now`. @throws UserError when none is (or it is frozen). */
export function openOccurrence(
  w: WindowConfig,
  now: Date,
  freezes: OccurrenceContext['freezes'] = [],
): WindowOccurrence {
  const minutes = parseDuration(w.duration) ?? 0;
  const from = new Date(now.getTime() - minutes * 60_000);
  const occ = windowOccurrences(w, from, 4, { freezes }).find(
    (o) => o.start.epochMilliseconds <= now.getTime() && now.getTime() < o.end.epochMilliseconds,
  );
  if (!occ || occ.frozen)
    throw new UserError(
      'window-not-open',
      occ
        ? `The window ${w.name} is frozen now (${occ.frozen}): it does not run.`
        : `The window ${w.name} is not open at ${now.toISOString()}.`,
      `See when it opens: patchwise windows next --window ${w.name}; to patch now, use --emergency --reason TEXT`,
    );
  return occ;
}

const baseSpec = (
  h: Host,
  rollout: ResolvedRollout,
  rollback: readonly string[] = [],
): Omit<RunHostSpec, 'targets' | 'previous' | 'vulnIds'> => ({
  name: h.name,
  ...(h.tier ? { tier: h.tier } : {}),
  ...(h.owner ? { owner: h.owner } : {}),
  services: h.services,
  restorePoint: restorePointFor(rollout, h.tier, rollback as RollbackRequirement[]),
  ...(h.provider ? { provider: h.provider } : {}),
});

const why = (e: unknown) => (e instanceof Error ? e.message : String(e));

/** Each host's OS from its latest successful scan. */
async function scannedOs(inputs: InventoryInputs, hosts: readonly Host[]): Promise<Map<string, string>> {
  const rows = await latestScanSummaries(
    (await inputs.openStore()).db,
    hosts.map((h) => h.name),
  );
  return new Map(rows.flatMap((r) => (r.lastOk ? [[r.host, r.lastOk.os] as const] : [])));
}

async function exactHosts(
  hosts: readonly Host[],
  packages: readonly VersionedPackage[],
  rollout: ResolvedRollout,
  opsFor: OpsFactory,
  families: Record<string, OsFamily>,
  named: boolean,
  scanned: ReadonlyMap<string, string>,
): Promise<RunHostSpec[]> {
  const out: (RunHostSpec | undefined)[] = [];
  // Hosts are asked at once, a bounded number at a time (each question is an ssh round trip); the
  // specs keep the hosts' order.
  await inPool(hosts, async (h, i) => {
    const base = baseSpec(h, rollout);
    const os = scanned.get(h.name) ?? h.os;
    const family = os ? familyOfOs(os) : undefined;
    const skip = (reason: string) => {
      out[i] = { ...base, targets: [], previous: [], vulnIds: [], skip: reason };
    };
    if (!family) {
      if (named) skip('its OS is not known: scan it first');
      return;
    }
    families[h.name] = family;
    try {
      const installed = await opsFor(h, family).installedVersions(packages.map((p) => p.name));
      const targets = packages.filter((p) => installed[p.name] !== undefined);
      if (targets.length === 0) {
        if (named) skip('none of the packages is installed');
        return;
      }
      out[i] = {
        ...base,
        targets,
        previous: targets.map((t) => ({ name: t.name, version: installed[t.name]! })),
        vulnIds: [],
      };
    } catch (e) {
      skip(`could not be asked for its versions: ${why(e)}`);
    }
  });
  return out.filter((x): x is RunHostSpec => x !== undefined);
}

/** Hosts asked about their versions at once while a run is planned. */
const PLAN_CONCURRENCY = 16;

/**
 * Runs `fn` over `items` (an iterable or a stream), at most {@link PLAN_CONCURRENCY} at a time. `fn` gets
 * each item's position; it must read what it needs of the item before its first await (streamed items
 * may be reused once the stream moves on).
 */
async function inPool<T>(
  items: Iterable<T> | AsyncIterable<T>,
  fn: (item: T, index: number) => Promise<void>,
): Promise<void> {
  const running = new Set<Promise<void>>();
  let i = 0;
  for await (const item of items) {
    const p: Promise<void> = fn(item, i++).finally(() => running.delete(p));
    running.add(p);
    if (running.size >= PLAN_CONCURRENCY) await Promise.race(running);
  }
  await Promise.all(running);
}

async function plannedHosts(
  inputs: InventoryInputs,
  inv: Inventory,
  hosts: readonly Host[],
  occ: WindowOccurrence | undefined,
  rollout: ResolvedRollout,
  opsFor: OpsFactory,
  families: Record<string, OsFamily>,
  now: Date,
): Promise<RunHostSpec[]> {
  if (hosts.length === 0) return [];
  let run: FleetRun;
  try {
    run = await FleetRun.open(inputs, {
      inventory: inv,
      hosts: hosts.map((h) => h.name),
      now,
      record: false,
    });
  } catch (e) {
    if (e instanceof UserError && e.code !== 'no-advisories') return [];
    throw e;
  }
  const out: (RunHostSpec | undefined)[] = [];
  await inPool(run.hosts(), async (fh, i) => {
    out[i] = await plannedHost(fh, occ, rollout, opsFor, families);
  });
  return out.filter((x): x is RunHostSpec => x !== undefined);
}

async function plannedHost(
  fh: FleetHost,
  occ: WindowOccurrence | undefined,
  rollout: ResolvedRollout,
  opsFor: OpsFactory,
  families: Record<string, OsFamily>,
): Promise<RunHostSpec | undefined> {
  const rollup = fh.decided!.rollup;
  const changes = rollup.packages.filter(
    (p) => !occ || new Date(p.dueAt).getTime() >= occ.start.epochMilliseconds,
  );
  const pending = fh.scan.summary.rebootRequired;
  if (changes.length === 0 && !pending) return undefined;
  const os = fh.scan.state.os;
  const family = fh.scan.state.family ?? familyOfOs(os);
  const base = baseSpec(fh.host, rollout, rollup.rollback);
  const vulnIds = [...new Set(changes.flatMap((c) => c.vulnIds))];
  const skip = (reason: string): RunHostSpec => ({
    ...base,
    targets: [],
    previous: [],
    vulnIds,
    skip: reason,
  });
  if (!family) return skip(`patchwise cannot patch ${os}`);
  families[fh.host.name] = family;
  const binaries = changes.flatMap((c) => c.binaries.map((b) => ({ b, to: c.to })));
  try {
    const ops = opsFor(fh.host, family);
    const names = binaries.map((x) => x.b);
    const [offered, installed] = await Promise.all([
      ops.availableVersions(names),
      ops.installedVersions(names),
    ]);
    const scheme = ecosystemForOs(os).scheme;
    const targets: VersionedPackage[] = [];
    const previous: VersionedPackage[] = [];
    for (const { b, to } of binaries) {
      if (installed[b] === undefined) continue; // a binary the scan saw is gone: nothing to upgrade
      // The oldest offered version that carries the fix: the plan's own version when the repository
      // has it (a newer build may be a different change), else the next one up.
      const fixing = (offered[b] ?? []).filter((v) => compareVersions(scheme, v, to) >= 0);
      const c = fixing.sort((x, y) => compareVersions(scheme, x, y))[0];
      if (!c) {
        const newest = offered[b]?.[0];
        return skip(`the repositories offer ${b} ${newest ?? 'in no version'}, older than the fix ${to}`);
      }
      targets.push({ name: b, version: c });
      previous.push({ name: b, version: installed[b] });
    }
    return { ...base, targets, previous, vulnIds };
  } catch (e) {
    if (e instanceof OperationalError || e instanceof UserError)
      return skip(`could not be asked for its versions: ${e.message}`);
    throw e;
  }
}
