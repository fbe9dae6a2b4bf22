import type { Command } from 'commander';
import type { DeferralView } from '../../app/defer.js';
import { UserError } from '../../core/errors.js';
import type { CliContext } from '../context.js';
import { formatTable, printJson } from '../output.js';
import { safeText } from '../safe-text.js';
import { decideInputs } from './plan.js';

const collect = (v: string, acc: string[]) => [
  ...acc,
  ...v
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean),
];
const RECENT_MS = 30 * 24 * 3_600_000;

interface AddOptions {
  finding: string[];
  host: string[];
  select?: string;
  reason: string;
  control: string;
  owner: string;
  review: string;
  until: string;
  approver?: string;
  json?: boolean;
}

function printList(rows: DeferralView[]): void {
  process.stdout.write(
    formatTable(rows, [
      { header: 'ID', get: (d) => d.id },
      {
        header: 'STATE',
        get: (d) => d.status.state + (d.status.endedBecause ? ` (${d.status.endedBecause})` : ''),
      },
      { header: 'ENDS', get: (d) => d.status.endsAt?.slice(0, 16).replace('T', ' ') ?? d.until },
      { header: 'FINDINGS', get: (d) => d.findings.join(','), max: 30 },
      { header: 'HOSTS', get: (d) => [...d.hosts, ...(d.selector ? [d.selector] : [])].join(','), max: 24 },
      { header: 'COVERS', get: (d) => d.covers, align: 'right' },
      { header: 'OWNER', get: (d) => d.owner },
      { header: 'CONTROL', get: (d) => d.control, max: 30 },
    ]),
  );
}

function registerAdd(defer: Command, ctx: CliContext): void {
  defer
    .command('add')
    .description(
      'Record an explicit deferral: reason, systems, compensating control, owner, review date, end condition.',
    )
    .requiredOption(
      '--finding <id...>',
      'CVE ids, vulnerability ids or package names (repeat or comma-separate)',
      collect,
      [],
    )
    .option('--host <name...>', 'host names (repeat or comma-separate)', collect, [])
    .option(
      '--select <selector>',
      'or hosts by selector: tag:K=V, tier:N, exposure:X, environment:X, owner:X, name:GLOB (comma = and)',
    )
    .requiredOption('--reason <text>', 'why the patch waits')
    .requiredOption('--control <text>', 'the compensating control in place meanwhile')
    .requiredOption('--owner <name>', 'who answers for the deferral')
    .requiredOption(
      '--review <date>',
      'next review date YYYY-MM-DD (policy time zone); the deferral ends then',
    )
    .requiredOption(
      '--until <condition>',
      'end condition: a date, fix-available, staging-passed or window:NAME',
    )
    .option('--approver <name>', 'who approved a deferral longer than the policy allows without one')
    .option('--json', 'print the recorded deferral as JSON')
    .addHelpText(
      'after',
      `
Examples:
  patchwise defer add --finding CVE-2023-44487 --host web-1 --reason "update breaks HTTP/2 push" \\
    --control "HTTP/2 disabled at the load balancer" --owner alice --review 2026-12-01 --until fix-available
  patchwise defer add --finding openssl --select tag:role=web --reason "vendor certification pending" \\
    --control "admin access limited to VPN" --owner web-team --review 2026-12-15 --until staging-passed --approver ciso

The policy caps how long each action class may be deferred (policy.deferral.maxDays, approvedMaxDays);
a known-exploited finding on an internet-facing host (an emergency) defaults to 3 days without an approver.
A deferral ends by itself at its review date or when its end condition holds; the finding is due again.`,
    )
    .action(async (o: AddOptions) => {
      if (o.host.length === 0 && !o.select)
        throw new UserError('deferral-hosts', 'Name the hosts (--host) or a selector (--select).');
      const { addDeferral } = await import('../../app/defer.js');
      const r = await addDeferral(
        decideInputs(ctx),
        {
          findings: o.finding,
          hosts: o.host,
          ...(o.select ? { selector: o.select } : {}),
          reason: o.reason,
          control: o.control,
          owner: o.owner,
          review: o.review,
          until: o.until,
          ...(o.approver ? { approver: o.approver } : {}),
        },
        ctx.now ?? new Date(),
        ctx.now === undefined,
      );
      for (const n of r.notes) process.stderr.write(`note: ${safeText(n)}\n`);
      if (o.json) return printJson(r);
      process.stdout.write(
        `recorded ${r.deferral.id}: covers ${r.covers} current finding(s), capped as ${r.action}; review ${r.deferral.review}\n`,
      );
    });
}

/** Registers `patchwise defer`. */
export function register(program: Command, ctx: CliContext): void {
  const defer = program
    .command('defer')
    .description(
      'Defer findings explicitly (add), see active, expiring and ended deferrals (list), end one (end).',
    );
  registerAdd(defer, ctx);
  defer
    .command('list')
    .description(
      'Show deferrals: active, expiring (within policy.deferral.expiringDays) and ended, with why.',
    )
    .option('--all', 'include deferrals that ended more than 30 days ago')
    .option('--json', 'print the deferrals with their state as JSON')
    .addHelpText(
      'after',
      `\nExamples:\n  patchwise defer list\n  patchwise defer list --all --json | jq '.[] | select(.status.state == "expiring")'`,
    )
    .action(async (o: { all?: boolean; json?: boolean }) => {
      const { listDeferrals } = await import('../../app/defer.js');
      const at = ctx.now ?? new Date();
      const now = at.getTime();
      const rows = (await listDeferrals(decideInputs(ctx), at, ctx.now === undefined)).filter(
        (d) => o.all || d.status.state !== 'ended' || now - Date.parse(d.status.endsAt ?? '') < RECENT_MS,
      );
      if (o.json) return printJson(rows);
      if (rows.length === 0) return void process.stdout.write('no deferrals\n');
      printList(rows);
    });
  defer
    .command('end')
    .description('End a deferral by hand (recorded in the decision log); its findings are due again.')
    .argument('<id>', 'deferral id, e.g. D-3')
    .requiredOption('--reason <text>', 'why it ends')
    .addHelpText('after', `\nExample:\n  patchwise defer end D-3 --reason "patched in Sunday's window"`)
    .action(async (id: string, o: { reason: string }) => {
      const { endDeferral } = await import('../../app/defer.js');
      await endDeferral(decideInputs(ctx), id, o.reason, ctx.now ?? new Date());
      process.stdout.write(`ended ${safeText(id)}\n`);
    });
}
