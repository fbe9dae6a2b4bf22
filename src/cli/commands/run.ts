import type { Command } from 'commander';
import type { RunRequest } from '../../app/rollout/plan-run.js';
import type { RunInputs } from '../../app/rollout/run-app.js';
import { UserError } from '../../core/errors.js';
import type { CliContext } from '../context.js';
import { EXIT } from '../exit-codes.js';
import { NdjsonWriter } from '../ndjson.js';
import { safeText } from '../safe-text.js';

interface RunCliOptions {
  window?: string;
  emergency?: boolean;
  reason?: string;
  hosts?: string;
  packages?: string;
  dryRun?: boolean;
  json?: boolean;
}

const PACKAGE = /^([A-Za-z0-9][A-Za-z0-9+._-]*)=([A-Za-z0-9][A-Za-z0-9.+:~_-]*)$/;

/** `name=version,...` into packages. @throws UserError naming the first bad item. */
export function parsePackages(v: string): { name: string; version: string }[] {
  return v.split(',').map((item) => {
    const m = PACKAGE.exec(item.trim());
    if (!m)
      throw new UserError(
        'bad-packages',
        `--packages takes name=version items separated by commas, not ${JSON.stringify(item.slice(0, 80))}.`,
        'Example: --packages openssl=3.0.15-1~deb12u1,libssl3=3.0.15-1~deb12u1',
      );
    return { name: m[1]!, version: m[2]! };
  });
}

/** The request `patchwise run` makes, its flags checked. @throws UserError on a wrong combination. */
export function runRequest(o: RunCliOptions, now: Date): RunRequest {
  if (Boolean(o.window) === Boolean(o.emergency))
    throw new UserError(
      'run-usage',
      'Say which run this is: --window NAME (inside its open occurrence) or --emergency --reason TEXT.',
      'Example: patchwise run --window web-monthly, or patchwise run --emergency --reason "CVE-2026-1234 exploited"',
    );
  if (o.emergency && !o.reason?.trim())
    throw new UserError('run-reason', 'An emergency run needs its reason (--reason TEXT): it is recorded.');
  const req: RunRequest = { now };
  if (o.window) req.window = o.window;
  if (o.emergency) Object.assign(req, { emergency: true, reason: o.reason!.trim() });
  if (o.hosts)
    req.hosts = o.hosts
      .split(',')
      .map((h) => h.trim())
      .filter(Boolean);
  if (o.packages !== undefined) req.packages = parsePackages(o.packages);
  return req;
}

/** Registers `patchwise run`. */
export function register(program: Command, ctx: CliContext): void {
  program
    .command('run')
    .description(
      'Patch hosts safely: pre-checks, restore point, apply, reboot, restart, verify, roll back on failure.',
    )
    .option('--window <name>', "run the window's plan inside its open occurrence")
    .option('--emergency', 'run outside any window (needs --reason; recorded as an emergency)')
    .option('--reason <text>', 'why the emergency run cannot wait for a window')
    .option('--hosts <a,b>', "only these hosts (of the window's scope)")
    .option(
      '--packages <name=version,...>',
      'exactly these binary packages at these versions, instead of the plan',
    )
    .option(
      '--dry-run',
      "print what would happen per host, with the package manager's simulation; change nothing",
    )
    .option('--json', 'NDJSON: a header with the run id, one record per step event, a summary last')
    .addHelpText(
      'after',
      `
Examples:
  patchwise run --window web-monthly                    the window's plan, while its occurrence is open
  patchwise run --window web-monthly --dry-run          what it would do, simulated on each host
  patchwise run --emergency --reason "CVE-2026-1234 exploited" --hosts web-1,web-2
  patchwise run --emergency --reason "hotfix" --packages openssl=3.0.15-1~deb12u1
  patchwise runs show R-20261212T013000ab12             what happened, per host and step

The run id comes first; then a line per step as it starts and ends. Per host: pre-checks (reachable,
plan still applies, owner set, tier 1 acknowledged by the window's owner, free disk, no package manager
running, pre-hook), restore point (verified before anything changes; required for tier 1 and 2), apply
exactly the planned versions, reboot if needed, restart units, verify as one gate (versions, health
for settleSeconds, no pending reboot, empty restart list, rescan shows the findings fixed, post-hook);
on failure roll back and verify that. Canaries first, lower tiers first, at most maxConcurrency at
once; no new host starts once failures reach maxErrors or after the window's cutoff.
Killed? patchwise runs resume RUN continues it. See docs/runs.md.

Exit codes: 0 every host verified, 3 a host failed, rolled back or was skipped for a failure, 2 usage.`,
    )
    .action(async (o: RunCliOptions) => {
      const req = runRequest(o, ctx.now ?? new Date());
      const inputs = { ...ctx.inventoryInputs() };
      if (o.dryRun) return printDryRun(inputs, req, Boolean(o.json));
      const [{ startRun }, { currentActor }, { RunPrinter }] = await Promise.all([
        import('../../app/rollout/run-app.js'),
        import('../../app/defer.js'),
        import('./run-output.js'),
      ]);
      const out = new RunPrinter(Boolean(o.json));
      const summary = await startRun(inputs, req, {
        actor: currentActor(ctx.env),
        onEvent: out.event,
        onCreated: (id, spec) =>
          out.created(id, {
            kind: req.emergency ? 'emergency' : 'window',
            ...(spec.window ? { window: spec.window.name, occurrence: spec.window.occurrence } : {}),
            hosts: spec.hosts.map((h) => h.name),
          }),
      });
      await out.summary(summary!);
      process.exitCode = summary!.exitCode === 0 ? EXIT.ok : EXIT.operational;
    });
}

async function printDryRun(inputs: RunInputs, req: RunRequest, json: boolean): Promise<void> {
  const { dryRun } = await import('../../app/rollout/run-app.js');
  const r = await dryRun(inputs, req);
  if (json) {
    const w = new NdjsonWriter();
    await w.header('run', 1, { dryRun: true, window: r.spec.window?.name ?? null, rollout: r.spec.rollout });
    for (const h of r.hosts) await w.write({ type: 'host', ...h });
    return w.flush();
  }
  const lines = [`dry run: nothing is changed and nothing recorded; ${r.hosts.length} host(s)`];
  for (const h of r.hosts) {
    lines.push(
      `${h.host}: ${h.skip ? `SKIPPED: ${h.skip}` : `restore point ${h.restorePoint}, reboot ${h.reboot}`}`,
    );
    for (const t of h.targets) lines.push(`  ${t.name} ${t.from ?? '?'} -> ${t.to}`);
    if (h.problem) lines.push(`  problem: ${h.problem}`);
    if (h.simulation) lines.push(...h.simulation.split('\n').map((l) => `  | ${l}`));
  }
  process.stdout.write(lines.map(safeText).join('\n') + '\n');
}
