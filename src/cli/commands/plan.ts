import type { Command } from 'commander';
import type { HostPlan } from '../../app/decide.js';
import type { Decision } from '../../core/policy/decide-finding.js';
import type { CliContext } from '../context.js';
import { formatTable, printJson, type Column } from '../output.js';

/** The decision inputs every decide command passes to the app layer. */
export function decideInputs(ctx: CliContext) {
  return ctx.inventoryInputs();
}

const HOST_COLUMNS: Column<HostPlan>[] = [
  { header: 'HOST', get: (h) => h.host + (h.assumed.length ? '*' : ''), max: 24 },
  { header: 'TIER', get: (h) => h.tier ?? '?' },
  { header: 'EXPOSURE', get: (h) => h.exposure ?? '?' },
  { header: 'ACTION', get: (h) => h.action ?? '-' },
  { header: 'DUE', get: (h) => h.dueLocal ?? '' },
  { header: 'STATE', get: (h) => h.state },
  { header: 'FINDINGS', get: (h) => h.findings, align: 'right' },
  { header: 'DEFERRED', get: (h) => h.deferred, align: 'right' },
  { header: 'PACKAGES', get: (h) => h.packages.length, align: 'right' },
  { header: 'REBOOT', get: (h) => (h.rebootExpected ? 'yes' : 'no') },
  { header: 'RESTARTS', get: (h) => h.restartServices.join(','), max: 30 },
];

/** The per-finding columns, shared with `explain`. */
export const DECISION_COLUMNS: Column<Decision>[] = [
  { header: 'FINDING', get: (d) => d.cves[0] ?? d.vulnId },
  { header: 'PACKAGE', get: (d) => d.package, max: 24 },
  { header: 'TARGET', get: (d) => d.fixedVersion ?? '(no fix)', max: 30 },
  { header: 'ACTION', get: (d) => d.action },
  { header: 'DUE', get: (d) => d.dueLocal },
  { header: 'STATE', get: (d) => (d.deferral ? `${d.state} (${d.deferral.id})` : d.state) },
  {
    header: 'ROLLBACK',
    get: (d) => (d.action === 'compensate' ? d.controls : d.rollback).join(','),
    max: 48,
  },
];

function printHostDetail(h: HostPlan): void {
  const out: string[] = [
    `${h.host}: ${h.action ?? 'nothing open'}${h.dueLocal ? `, due ${h.dueLocal}` : ''} (${h.state})`,
  ];
  if (h.assumed.length)
    out.push(`  classification missing: ${h.assumed.join(', ')} (decided as the worse case)`);
  for (const p of h.packages)
    out.push(`  change ${p.package} ${p.from} -> ${p.to} [${p.binaries.join(', ')}] ${p.action}`);
  out.push(`  reboot expected: ${h.rebootExpected ? `yes (${h.rebootPackages.join(', ')})` : 'no'}`);
  out.push(`  services restarting: ${h.restartServices.join(', ') || 'none known'}`);
  process.stdout.write(out.join('\n') + '\n\n' + formatTable(h.decisions, DECISION_COLUMNS));
}

/** What `plan --json` prints. */
export interface PlanJson {
  now: string;
  timeZone: string;
  hosts: HostPlan[];
  notes: string[];
}

/** Registers `patchwise plan`. */
export function register(program: Command, ctx: CliContext): void {
  program
    .command('plan')
    .description(
      'Decide every finding (emergency, urgent window, regular window, weekly, staged, compensate) and roll up per host.',
    )
    .option('--host <name>', 'only this host, with its packages, reboot, restarts and per-finding decisions')
    .option('--json', 'print per-host rollups with their decisions as JSON')
    .addHelpText(
      'after',
      `
Examples:
  patchwise plan                       one line per host, most urgent first
  patchwise plan --host web-1          what changes on web-1, and why each finding is due when
  patchwise plan --json | jq '.hosts[] | select(.action == "emergency") | .host'
  patchwise explain web-1 CVE-2023-44487

Actions come from the policy in patchwise.yaml (policy:); see docs/policy.md for the decision table,
the deadlines and where each default comes from. A host marked * lacks tier, exposure or owner and is
decided as tier 1, internet-facing. Deferred findings stay listed with state "deferred".`,
    )
    .action(async (opts: { host?: string; json?: boolean }) => {
      // The one-line-per-host table needs only the rollups: keep no decisions (memory stays flat).
      const scope = opts.host ? { host: opts.host } : opts.json ? {} : { keepDecisions: false };
      const { loadFleetDecisions } = await import('../../app/decide.js');
      const fleet = await loadFleetDecisions(decideInputs(ctx), scope);
      for (const n of fleet.notes) process.stderr.write(`note: ${n}\n`);
      if (opts.json) {
        // printJson streams: a large fleet's plan (about 80 MB of JSON per 1,000 hosts) exceeds a string.
        const plan: PlanJson = {
          now: fleet.now,
          timeZone: fleet.timeZone,
          hosts: fleet.hosts,
          notes: fleet.notes,
        };
        return printJson(plan);
      }
      if (opts.host) return fleet.hosts.forEach(printHostDetail);
      process.stdout.write(formatTable(fleet.hosts, HOST_COLUMNS));
      if (fleet.hosts.some((h) => h.assumed.length))
        process.stderr.write('* tier, exposure or owner missing: decided as tier 1, internet-facing\n');
    });
}
