import type { Command } from 'commander';
import type { ScanDiff } from '../../app/scan-diff.js';
import type { SshDefaults } from '../../adapters/transport/transport-for-host.js';
import { UserError } from '../../core/errors.js';
import type { Host } from '../../core/inventory/host.js';
import type { CliContext } from '../context.js';
import { EXIT } from '../exit-codes.js';
import { printJson, progress } from '../output.js';
import { safeText } from '../safe-text.js';
import { printScanResults } from './scan-output.js';

/** Options of a fleet scan on the command line. */
export interface FleetScanCliOptions {
  all?: boolean;
  json?: boolean;
  concurrency?: string;
  timeout?: string;
  diff?: boolean;
}

/** Adds the fleet options to `scan` (hosts are its variadic argument). */
export function addFleetScanOptions(cmd: Command): Command {
  return cmd
    .option('--all', 'scan every inventory host')
    .option('--concurrency <n>', 'hosts scanned at once', '10')
    .option('--timeout <seconds>', 'per-host time limit', '120')
    .option('--diff', "after scanning, show what changed since each host's previous scan");
}

/**
 * Scans inventory hosts over their connections (ssh or local), prints one result per host (a table, or
 * JSON), and sets exit code 3 when any host failed. Hosts are `names`, or every host with `--all`.
 */
export async function runFleetScanCommand(
  ctx: CliContext,
  names: string[],
  opts: FleetScanCliOptions,
): Promise<void> {
  const { hosts, ssh } = await selectHosts(ctx, names, opts.all);
  const concurrency = positiveInt(opts.concurrency ?? '10', '--concurrency');
  const perHostTimeoutMs = positiveInt(opts.timeout ?? '120', '--timeout') * 1000;
  const [{ scanFleet }, { diffHostScans }, { transportFactory }] = await Promise.all([
    import('../../app/fleet-scan.js'),
    import('../../app/scan-diff.js'),
    import('../../adapters/transport/transport-for-host.js'),
  ]);
  const store = await ctx.openStore();
  const bar = progress('scanning');
  const results = await scanFleet(hosts, {
    concurrency,
    perHostTimeoutMs,
    transportFor: transportFactory(ctx.dataDir, ssh),
    store,
    onResult: (r, done, total) => bar.update(done, total, `${r.host} ${r.status}`),
  });
  bar.done();
  const diffs = opts.diff
    ? await diffHostScans(
        store,
        results.filter((r) => r.status === 'ok').map((r) => r.host),
        ctx.now,
      )
    : [];
  if (opts.json) printJson(opts.diff ? { results, diffs } : results);
  else {
    printScanResults(results);
    for (const d of diffs) printDiff(d);
  }
  if (results.some((r) => r.status === 'failed')) process.exitCode = EXIT.operational;
}

async function selectHosts(
  ctx: CliContext,
  names: string[],
  all?: boolean,
): Promise<{ hosts: Host[]; ssh: SshDefaults }> {
  if (all && names.length > 0) throw new UserError('scan-usage', 'Name hosts or use --all, not both.');
  const { loadInventory, requireHost } = await import('../../app/inventory.js');
  const inv = await loadInventory(ctx.inventoryInputs());
  // A stored host that no longer validates (an ssh value now refused) is left out: say so.
  for (const w of inv.warnings) process.stderr.write(`warning: ${w}\n`);
  const ssh = inv.config.config.ssh ?? {};
  if (all) {
    if (inv.hosts.length === 0)
      throw new UserError('scan-no-hosts', 'The inventory has no hosts.', 'Add one: patchwise hosts add');
    return { hosts: inv.hosts, ssh };
  }
  return { hosts: names.map((n) => requireHost(inv, n).host), ssh };
}

function positiveInt(v: string, flag: string): number {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1)
    throw new UserError('scan-usage', `${flag} must be a whole number above 0, not "${v}".`);
  return n;
}

function printDiff(d: ScanDiff): void {
  const lines = [
    `\n${d.host}: since ${d.previous ? `scan ${d.previous.id} (${d.previous.scannedAt})` : 'nothing (first scan)'}`,
  ];
  for (const c of d.packages.changed) lines.push(`  changed  ${c.name} ${c.from} -> ${c.to}`);
  for (const p of d.packages.added) lines.push(`  added    ${p.name} ${p.version}`);
  for (const p of d.packages.removed) lines.push(`  removed  ${p.name} ${p.version}`);
  if (d.findings) {
    for (const f of d.findings.fixed) lines.push(`  fixed    ${f.vulnId} ${f.package}`);
    for (const f of d.findings.new) lines.push(`  new      ${f.vulnId} ${f.package}`);
  }
  if (d.reboot.before !== d.reboot.after)
    lines.push(`  reboot   ${d.reboot.after ? 'now pending' : 'no longer pending'}`);
  if (d.staleProcesses.before !== d.staleProcesses.after) {
    lines.push(`  restart  ${d.staleProcesses.before} -> ${d.staleProcesses.after} stale processes`);
  }
  if (lines.length === 1) lines.push('  no change');
  process.stdout.write(lines.map(safeText).join('\n') + '\n');
}
