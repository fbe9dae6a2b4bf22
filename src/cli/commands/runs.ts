import type { Command } from 'commander';
import type { RunView } from '../../app/rollout/run-app.js';
import type { CliContext } from '../context.js';
import { EXIT } from '../exit-codes.js';
import { formatTable, printJson } from '../output.js';
import { safeText } from '../safe-text.js';

const ONE_LINE = 160;
const lastLine = (s: string) => (s.trim().split('\n').pop() ?? '').slice(0, ONE_LINE);

function printRun(v: RunView): void {
  const r = v.run;
  const lines = [
    `${r.id} ${r.kind}${r.window ? ` ${r.window} ${r.occurrence ?? ''}` : ''}${r.reason ? ` (${r.reason})` : ''}: ${r.state}`,
    `  started ${r.createdAt} by ${r.actor}${r.finishedAt ? `, ended ${r.finishedAt}` : ''}`,
  ];
  for (const h of v.hosts) {
    const loud = h.state === 'rollback-failed' ? '!!! ' : '';
    lines.push(`${loud}${h.host} [batch ${h.batch}] ${h.state}${h.reason ? `: ${h.reason}` : ''}`);
    for (const s of h.steps)
      lines.push(
        `  ${s.step.padEnd(15)} ${s.status.padEnd(7)} x${s.attempts} ${s.startedAt}${s.endedAt ? ` .. ${s.endedAt.slice(11)}` : ''}  ${lastLine(s.output)}`,
      );
  }
  process.stdout.write(lines.map(safeText).join('\n') + '\n');
}

/** Registers `patchwise runs list|show|resume|rollback`. */
export function register(program: Command, ctx: CliContext): void {
  const runs = program
    .command('runs')
    .description('Runs: what happened per host and step; resume a killed run; roll a host back by hand.')
    .addHelpText(
      'after',
      `
Examples:
  patchwise runs list
  patchwise runs show R-20261212T013000ab12 --json
  patchwise runs resume R-20261212T013000ab12      continue after the controller was killed
  patchwise runs rollback R-20261212T013000ab12 web-1

Host states: verified, rolled-back, rollback-failed, failed, skipped, running, pending. See docs/runs.md.`,
    );
  runs
    .command('list')
    .description('Every run, newest first.')
    .option('--json', 'print JSON')
    .action(async (o: { json?: boolean }) => {
      const { listRuns } = await import('../../app/rollout/run-app.js');
      const list = await listRuns(ctx.inventoryInputs());
      if (o.json) return printJson(list.map(({ spec, ...r }) => ({ ...r, hosts: spec.hosts.length })));
      if (list.length === 0)
        return void process.stdout.write('no runs yet (start one: patchwise run --help)\n');
      process.stdout.write(
        formatTable(list, [
          { header: 'RUN', get: (r) => r.id },
          { header: 'KIND', get: (r) => r.kind },
          { header: 'WINDOW', get: (r) => r.window ?? '-' },
          { header: 'STATE', get: (r) => r.state },
          { header: 'HOSTS', get: (r) => String(r.spec.hosts.length) },
          { header: 'STARTED', get: (r) => r.createdAt },
          { header: 'BY', get: (r) => r.actor },
        ]) + '\n',
      );
    });
  runs
    .command('show')
    .description('One run: each host with its state and its steps (status, attempts, times, output).')
    .argument('<run>', 'the run id')
    .option('--json', 'print JSON (steps with their whole recorded output)')
    .action(async (id: string, o: { json?: boolean }) => {
      const { showRun } = await import('../../app/rollout/run-app.js');
      const v = await showRun(ctx.inventoryInputs(), id);
      if (o.json) return printJson(v);
      printRun(v);
    });
  runs
    .command('resume')
    .description(
      'Continue a run whose controller was killed: finished steps never run again; a step left running is examined first.',
    )
    .argument('<run>', 'the run id')
    .option('--json', 'NDJSON as patchwise run prints it')
    .action(async (id: string, o: { json?: boolean }) => {
      const [{ resumeRun }, { currentActor }, { RunPrinter }] = await Promise.all([
        import('../../app/rollout/run-app.js'),
        import('../../app/defer.js'),
        import('./run-output.js'),
      ]);
      const out = new RunPrinter(Boolean(o.json));
      out.created(id, { resumed: true });
      const summary = await resumeRun(ctx.inventoryInputs(), id, {
        actor: currentActor(ctx.env),
        onEvent: out.event,
      });
      await out.summary(summary);
      process.exitCode = summary.exitCode === 0 ? EXIT.ok : EXIT.operational;
    });
  runs
    .command('rollback')
    .description("Roll hosts of a run back by hand to the run's restore point, then check their health.")
    .argument('<run>', 'the run id')
    .argument('[host]', 'one host (default: every host the run changed)')
    .action(async (id: string, host: string | undefined) => {
      const [{ rollbackRun }, { currentActor }, { eventLine }] = await Promise.all([
        import('../../app/rollout/run-app.js'),
        import('../../app/defer.js'),
        import('./run-output.js'),
      ]);
      const res = await rollbackRun(ctx.inventoryInputs(), id, host, {
        actor: currentActor(ctx.env),
        onEvent: (e) => process.stdout.write(eventLine(e) + '\n'),
      });
      if (res.length === 0) process.stdout.write('no host of this run changed: nothing to roll back\n');
      if (res.some((r) => r.state !== 'rolled-back')) process.exitCode = EXIT.operational;
    });
}
