import type { Command } from 'commander';
import { UserError } from '../../core/errors.js';
import type { Decision } from '../../core/policy/decide-finding.js';
import type { CliContext } from '../context.js';
import { printJson } from '../output.js';
import { safeText } from '../safe-text.js';
import { decideClock, decideInputs } from './plan.js';

/** True when `q` names the decision's finding: a CVE, the vulnerability id, the package or a binary. */
export function matchesFinding(d: Decision, q: string): boolean {
  const u = q.toUpperCase();
  return (
    d.cves.some((c) => c.toUpperCase() === u) ||
    d.vulnId.toUpperCase() === u ||
    d.package === q ||
    d.binaries.includes(q)
  );
}

function explainText(d: Decision): string {
  const target = d.fixedVersion
    ? `${d.installedVersion} -> ${d.fixedVersion}`
    : `${d.installedVersion}, no fix yet`;
  const head = `${d.cves[0] ?? d.vulnId} in ${d.package} (${target}) on ${d.host}: ${d.action}, ${d.state === 'overdue' ? 'overdue since' : `${d.state}, due`} ${d.dueLocal}`;
  const safety =
    d.action === 'compensate'
      ? `controls to choose from: ${d.controls.join(', ')}`
      : `rollback: ${d.rollback.join(', ') || 'none'}`;
  return [head, ...d.reasons.map((r) => `  - ${r}`), `  ${safety}`].map(safeText).join('\n');
}

/** Registers `patchwise explain`. */
export function register(program: Command, ctx: CliContext): void {
  program
    .command('explain')
    .description('Print why each finding of a host got its action and due date, in plain sentences.')
    .argument('<host>', 'host name')
    .argument('[finding]', 'a CVE id, vulnerability id or package name; all findings when absent')
    .option('--json', 'print the decisions (with their reasons) as JSON')
    .addHelpText(
      'after',
      `
Examples:
  patchwise explain web-1
  patchwise explain web-1 CVE-2023-44487
  patchwise explain web-1 openssl --json | jq '.[0].reasons'
  patchwise --now 2026-12-11 explain web-1      as it will stand on 11 December (records nothing)

Each decision carries reasonCodes (the rules, deadline and deferral that decided it) and reasons (the
same in sentences); --json prints both.`,
    )
    .action(async (host: string, finding: string | undefined, opts: { json?: boolean }) => {
      const { loadFleetDecisions } = await import('../../app/decide.js');
      const fleet = await loadFleetDecisions(decideInputs(ctx), { host, ...decideClock(ctx) });
      const plan = fleet.hosts.find((h) => h.host === host);
      const ds = (plan?.decisions ?? []).filter((d) => !finding || matchesFinding(d, finding));
      if (finding && ds.length === 0) {
        throw new UserError(
          'finding-unknown',
          `Host ${host} has no finding ${finding}.`,
          `List its findings with: patchwise plan --host ${host}`,
        );
      }
      if (opts.json) return printJson(ds);
      if (ds.length === 0) return void process.stdout.write(`${safeText(host)} has no open findings.\n`);
      process.stdout.write(ds.map(explainText).join('\n\n') + '\n');
    });
}
