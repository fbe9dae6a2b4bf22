import type { CommandOutput, HostOps } from '../../adapters/patching/host-ops.js';
import { restorePointName } from '../../adapters/providers/restore-point.js';
import type { StepName } from '../../core/rollout/run-model.js';
import type { RunHostSpec, RunSpec, VersionedPackage } from '../../core/rollout/run-spec.js';
import { failStep, okStep, type RunDeps, type StepOutcome } from './run-deps.js';

/** What a step of one host works with. */
export interface StepContext {
  runId: string;
  spec: RunSpec;
  host: RunHostSpec;
  deps: RunDeps;
  ops: HostOps;
  /** facts earlier steps recorded (precheck's `bootTime`, reboot's `bootBefore`) */
  details: Partial<Record<StepName, Record<string, unknown>>>;
  /** records facts on the running step before acting on them (reboot's boot time before) */
  note(detail: Record<string, unknown>): Promise<void>;
}

const errText = (e: unknown) => (e instanceof Error ? e.message : String(e));
const cmdText = (c: CommandOutput) =>
  `$ ${c.argv.join(' ')}\n${c.stdout}${c.stderr ? `\n[stderr]\n${c.stderr}` : ''}\n[exit ${c.code ?? 'signal'}]\n`;

/** Runs a step, turning a failure of the world (unreachable, timeout) into a failed step with its reason. */
export async function performStep(step: StepName, c: StepContext): Promise<StepOutcome> {
  try {
    return await STEP_FNS[step](c);
  } catch (e) {
    return failStep(`${step}: ${errText(e)}`);
  }
}

const STEP_FNS: Record<StepName, (c: StepContext) => Promise<StepOutcome>> = {
  precheck,
  snapshot,
  apply,
  reboot,
  restart,
  verify,
  rollback,
  'verify-rollback': verifyRollback,
  'on-exit': onExit,
};

async function precheck(c: StepContext): Promise<StepOutcome> {
  const { host, spec, ops } = c;
  const problems: string[] = [];
  if (!host.owner) problems.push('the host has no owner');
  if (
    spec.window &&
    host.tier === 1 &&
    !(await c.deps.acknowledged(spec.window.name, spec.window.occurrence))
  )
    problems.push('window not acknowledged by its owner');
  const pre = await ops.precheck({ minFreeMiB: spec.rollout.minFreeMiB });
  problems.push(...pre.problems);
  const installed = await ops.installedVersions(host.targets.map((t) => t.name));
  for (const p of host.previous) {
    const now = installed[p.name];
    const target = host.targets.find((t) => t.name === p.name)?.version;
    if (now === undefined) problems.push(`the plan no longer applies: ${p.name} is not installed`);
    else if (now !== p.version && now !== target)
      problems.push(`the plan no longer applies: ${p.name} is ${now}, planned from ${p.version}`);
  }
  let out = JSON.stringify({ ...pre, installed }, null, 1) + '\n';
  if (problems.length === 0 && spec.rollout.hooks.pre) {
    const h = await ops.hook(spec.rollout.hooks.pre);
    out += cmdText(h);
    if (h.code !== 0) problems.push(`the pre-hook failed (exit ${h.code ?? 'signal'})`);
  }
  const detail = { rebootPending: pre.rebootPending, bootTime: pre.bootTime };
  return problems.length ? failStep(problems.join('; '), out, detail) : okStep(out, detail);
}

async function snapshot(c: StepContext): Promise<StepOutcome> {
  const hp = c.deps.providerFor(c.host.name);
  const required = c.host.restorePoint === 'required';
  if (!hp)
    return required
      ? failStep('a restore point is required and the host has no provider')
      : { status: 'skipped', output: 'no provider: no restore point', detail: {} };
  const name = restorePointName(c.runId, c.host.name);
  const lines: string[] = [];
  try {
    const rp = await hp.provider.create(hp.id, name, (m) => lines.push(m));
    const found = await hp.provider.find(hp.id, name);
    if (rp.status !== 'ready' || found?.status !== 'ready')
      return failStep(
        `the restore point ${name} is not ready (${found?.status ?? 'absent'})`,
        lines.join('\n'),
      );
    return okStep(lines.concat(`restore point ${name} ready`).join('\n'), {
      restorePoint: name,
      id: found.id,
    });
  } catch (e) {
    return failStep(`no restore point could be made: ${errText(e)}`, lines.join('\n'));
  }
}

const atTarget = (targets: readonly VersionedPackage[], installed: Record<string, string | undefined>) =>
  targets
    .filter((t) => installed[t.name] !== t.version)
    .map((t) => `${t.name} is ${installed[t.name] ?? 'absent'}, not ${t.version}`);

async function apply(c: StepContext): Promise<StepOutcome> {
  const r = await c.ops.apply(c.host.targets, { lockTimeoutSeconds: c.spec.rollout.lockTimeoutSeconds });
  const out = r.commands.map(cmdText).join('');
  const wrong = atTarget(c.host.targets, r.installed);
  const pending = (await c.ops.rebootPending().catch(() => ({ pending: false }))).pending;
  if (!r.ok || wrong.length)
    return failStep(r.message ?? (wrong.join('; ') || 'the apply failed'), out, { rebootPending: pending });
  return okStep(out, { rebootPending: pending, installed: r.installed });
}

async function reboot(c: StepContext): Promise<StepOutcome> {
  const before = await c.ops.bootTime();
  await c.note({ bootBefore: before });
  await c.ops.reboot();
  return waitForBoot(c, before);
}

/** Waits for a boot time other than `before`; on timeout power-cycles once (when the provider can). */
export async function waitForBoot(c: StepContext, before: string): Promise<StepOutcome> {
  const after = await pollBoot(c, before);
  if (after) return okStep(`booted at ${after} (was ${before})`, { bootBefore: before, bootAfter: after });
  const hp = c.deps.providerFor(c.host.name);
  if (!hp?.provider.powerCycle)
    return failStep(`the host did not come back within ${c.spec.rollout.rebootTimeoutSeconds} s`);
  await hp.provider.powerCycle(hp.id);
  const again = await pollBoot(c, before);
  return again
    ? okStep(`power-cycled; booted at ${again}`, { bootBefore: before, bootAfter: again, powerCycled: true })
    : failStep('the host did not come back, even after a power cycle');
}

async function pollBoot(c: StepContext, before: string): Promise<string | undefined> {
  const end = c.deps.clock().getTime() + c.spec.rollout.rebootTimeoutSeconds * 1000;
  while (c.deps.clock().getTime() <= end) {
    const now = await c.ops.bootTime().catch(() => undefined); // errors while it is down are expected
    if (now && now !== before) return now;
    await c.deps.sleep(c.deps.pollMs ?? 1500);
  }
  return undefined;
}

async function restart(c: StepContext): Promise<StepOutcome> {
  const list = await c.ops.restartList();
  if (list.units.length === 0) return okStep('nothing to restart', { units: [] });
  const r = await c.ops.restartUnits(list.units);
  return r.code === 0
    ? okStep(cmdText(r), { units: list.units })
    : failStep(`restarting ${list.units.join(', ')} failed`, cmdText(r));
}

/**
 * Every service's health passes now and on every poll for `settleSeconds`. A unit that systemd shows
 * active for longer than that already has held (no restart loop): when every service has a unit, the
 * wait is only what the most recently (re)started one still lacks; a service checked only over HTTP or
 * TCP waits the whole settle time.
 */
async function settledHealth(c: StepContext, afterBoot = false): Promise<string[]> {
  if (afterBoot) {
    const late = await bootGrace(c);
    if (late.length) return late;
  }
  const settleMs = c.spec.rollout.settleSeconds * 1000;
  // No service to watch: nothing can loop, so nothing to wait for.
  let end = c.deps.clock().getTime() + (c.host.services.length ? settleMs : 0);
  const units = c.host.services.map((s) => s.unit);
  if (settleMs > 0 && c.ops.unitsActiveSeconds && units.length && units.every((u) => u !== undefined)) {
    const first = (await c.ops.health(c.host.services)).filter((h) => !h.ok);
    if (first.length) return first.map((h) => `${h.service} unhealthy: ${h.detail}`);
    const up = await c.ops.unitsActiveSeconds(units as string[]);
    const least = Math.min(...units.map((u) => up[u!] ?? 0));
    end = c.deps.clock().getTime() + Math.max(0, settleMs - least * 1000);
  }
  for (;;) {
    const bad = (await c.ops.health(c.host.services)).filter((h) => !h.ok);
    if (bad.length) return bad.map((h) => `${h.service} unhealthy: ${h.detail}`);
    if (c.deps.clock().getTime() >= end) return [];
    await c.deps.sleep(c.deps.pollMs ?? 1500);
  }
}

/** After a boot (a reboot, a restored snapshot), services get this long to come up before a failure counts. */
export const BOOT_GRACE_MS = 90_000;

/**
 * Right after a boot, sshd may answer before systemd has started every unit: health is polled until it
 * all passes or the grace ends (a refused connection meanwhile is part of booting, not a verdict).
 */
async function bootGrace(c: StepContext): Promise<string[]> {
  const end = c.deps.clock().getTime() + BOOT_GRACE_MS;
  for (;;) {
    let bad: string[];
    try {
      bad = (await c.ops.health(c.host.services))
        .filter((h) => !h.ok)
        .map((h) => `${h.service} unhealthy: ${h.detail}`);
    } catch (e) {
      bad = [errText(e)];
    }
    if (bad.length === 0 || c.deps.clock().getTime() >= end) return bad;
    await c.deps.sleep(c.deps.pollMs ?? 1500);
  }
}

async function verify(c: StepContext): Promise<StepOutcome> {
  const { ops, host, spec } = c;
  const problems = atTarget(host.targets, await ops.installedVersions(host.targets.map((t) => t.name)));
  problems.push(...(await settledHealth(c, c.details.reboot?.bootAfter !== undefined)));
  const pending = await ops.rebootPending();
  if (pending.pending && spec.rollout.reboot !== 'never')
    problems.push(`a reboot is pending: ${pending.why.join(', ')}`);
  const list = await ops.restartList();
  if (list.units.length) problems.push(`units still to restart: ${list.units.join(', ')}`);
  if (problems.length === 0 && host.vulnIds.length) {
    const { open } = await c.deps.rescan(host.name, host.vulnIds);
    if (open.length) problems.push(`still open after the rescan: ${open.join(', ')}`);
  }
  let out = '';
  if (problems.length === 0 && spec.rollout.hooks.post) {
    const h = await ops.hook(spec.rollout.hooks.post);
    out = cmdText(h);
    if (h.code !== 0) problems.push(`the post-hook failed (exit ${h.code ?? 'signal'})`);
  }
  return problems.length
    ? failStep(problems.join('; '), out || problems.join('\n'))
    : okStep(out || 'verified');
}

async function rollback(c: StepContext): Promise<StepOutcome> {
  const rp = c.details.snapshot?.restorePoint;
  const hp = c.deps.providerFor(c.host.name);
  if (typeof rp === 'string' && hp) {
    const lines: string[] = [];
    await hp.provider.restore(hp.id, rp, (m) => lines.push(m));
    const up = await pollBoot(c, '');
    if (!up) return failStep(`restored ${rp}, but the host did not come back`, lines.join('\n'));
    return okStep(lines.concat(`restored ${rp}`).join('\n'), { how: 'restore-point', restorePoint: rp });
  }
  if (!c.spec.rollout.downgradeRollback) return failStep('no restore point and downgradeRollback is off');
  const r = await c.ops.apply(c.host.previous, {
    lockTimeoutSeconds: c.spec.rollout.lockTimeoutSeconds,
    downgrade: true,
  });
  const wrong = atTarget(c.host.previous, r.installed);
  const out = r.commands.map(cmdText).join('');
  return r.ok && !wrong.length
    ? okStep(out, { how: 'downgrade' })
    : failStep(r.message ?? (wrong.join('; ') || 'the downgrade failed'), out);
}

async function verifyRollback(c: StepContext): Promise<StepOutcome> {
  const problems = await settledHealth(c, c.details.rollback?.how === 'restore-point');
  if (c.details.rollback?.how === 'downgrade')
    problems.push(
      ...atTarget(c.host.previous, await c.ops.installedVersions(c.host.previous.map((p) => p.name))),
    );
  return problems.length ? failStep(problems.join('; ')) : okStep('healthy after the rollback');
}

async function onExit(c: StepContext): Promise<StepOutcome> {
  const argv = c.spec.rollout.hooks.onExit;
  if (!argv) return okStep('no on-exit hook');
  const h = await c.ops.hook(argv);
  return h.code === 0
    ? okStep(cmdText(h))
    : failStep(`the on-exit hook failed (exit ${h.code ?? 'signal'})`, cmdText(h));
}

/**
 * A step found `running` on resume: what it did. `rerun` when running it again is safe and needed
 * (apply with the versions not at target, rollback, checks); otherwise its outcome.
 */
export async function examineStep(
  step: StepName,
  c: StepContext,
  running: Record<string, unknown>,
): Promise<StepOutcome | 'rerun'> {
  if (step === 'apply') {
    const names = c.host.targets.map((t) => t.name);
    let ex = await c.ops.examineApply(names);
    let out = ex.detail;
    if (!ex.consistent) {
      out += '\n' + cmdText(await c.ops.repair());
      ex = await c.ops.examineApply(names);
    }
    if (!ex.consistent || atTarget(c.host.targets, ex.installed).length) return 'rerun';
    const pending = (await c.ops.rebootPending()).pending;
    return okStep(`examined after a restart of the controller: ${out}`, {
      rebootPending: pending,
      examined: true,
    });
  }
  if (step === 'reboot') {
    const before = running.bootBefore;
    if (typeof before !== 'string') return 'rerun';
    // Down now: the reboot is under way, wait for it. Up with the old boot time: reboot again.
    const now = await c.ops.bootTime().catch(() => undefined);
    const after = now ?? (await pollBoot(c, before));
    if (after && after !== before)
      return okStep(`booted at ${after} (was ${before})`, {
        bootBefore: before,
        bootAfter: after,
        examined: true,
      });
    return 'rerun';
  }
  if (step === 'snapshot') {
    const hp = c.deps.providerFor(c.host.name);
    if (!hp) return 'rerun';
    const name = restorePointName(c.runId, c.host.name);
    const found = await hp.provider.find(hp.id, name);
    if (found?.status === 'ready')
      return okStep(`restore point ${name} found ready`, {
        restorePoint: name,
        id: found.id,
        examined: true,
      });
    return 'rerun'; // pending or absent: create() is idempotent and waits for it
  }
  return 'rerun';
}
