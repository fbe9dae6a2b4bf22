import type { Command } from 'commander';
import type { WindowEvent } from '../../core/windows/scheduler.js';
import { UserError } from '../../core/errors.js';
import { parseNow, type CliContext } from '../context.js';
import { safeText } from '../safe-text.js';

function parseInterval(v: string): number {
  const n = Number(v);
  if (!Number.isFinite(n) || n < 1 || n > 3600)
    throw new UserError(
      'bad-interval',
      `--interval takes seconds from 1 to 3600, not ${JSON.stringify(v)}.`,
      'Example: --interval 30',
    );
  return n;
}

/** One line per event: when, what, which occurrence, why (and the plan summary of an opened window). */
export function eventLine(e: WindowEvent): string {
  const plan = e.detail.plan as
    { hosts: number; scanned: number | null; withFindings: number | null; note?: string } | undefined;
  const summary = plan
    ? ` [${plan.hosts} hosts in scope${plan.withFindings === null ? '' : `, ${plan.withFindings} of ${plan.scanned} scanned with open findings`}${plan.note ? `; ${plan.note}` : ''}]`
    : '';
  return safeText(`${e.at} ${e.event.padEnd(6)} ${e.window} ${e.occurrence}: ${e.reason}${summary}`);
}

/** Registers `patchwise scheduler`. */
export function register(program: Command, ctx: CliContext): void {
  program
    .command('scheduler')
    .description(
      'Open and close maintenance windows at their times, in the foreground, recording every event.',
    )
    .option('--once', 'one pass, then exit (for tests and cron)')
    .option('--now <time>', 'start the clock at this time (ISO 8601 or a date); it runs on from there')
    .option('--interval <seconds>', 'seconds between passes at most (default 30; sooner for a start)')
    .option('--no-runs', 'record window events only; start no run when a window opens')
    .addHelpText(
      'after',
      `
Examples:
  patchwise scheduler                                  run until SIGTERM or Ctrl-C, a pass every 30 s
  patchwise scheduler --once                           one pass (from cron: */5 * * * *)
  patchwise scheduler --once --now 2026-12-12T01:30:00Z
  patchwise windows events --window web-monthly        what it recorded

Each pass opens an occurrence whose start has come (recorded "frozen" instead when it overlaps a
freeze), closes one whose end has passed, and records occurrences that passed while it was not
running as "missed" (never replayed: the next occurrence takes their work). One that started while it
was down opens late if its cutoff has not come, else it is missed. Every event is recorded once, with
time, window and reason, however often a pass is repeated or the scheduler killed and restarted.
When a window opens, the scheduler starts its run in this process (as patchwise run --window does,
actor "scheduler") and records the run id in the opened event; a window with nothing to patch starts
none. --no-runs only records the events. See docs/windows.md and docs/runs.md.`,
    )
    .action(async (o: { once?: boolean; now?: string; interval?: string; runs: boolean }) => {
      const { runSchedulerLoop, runSchedulerPass } = await import('../../app/scheduler.js');
      const { notifyPass } = await import('../../app/notify.js');
      const note = (m: string) => process.stderr.write(safeText(`scheduler: ${m}`) + '\n');
      const interval = o.interval === undefined ? 30 : parseInterval(o.interval);
      const start = o.now ? parseNow(o.now) : ctx.now;
      const began = Date.now();
      const clock = () => (start ? new Date(start.getTime() + Date.now() - began) : new Date());
      const print = (e: WindowEvent) => process.stdout.write(eventLine(e) + '\n');
      const startRun = o.runs ? await windowRunStarter(ctx, clock) : undefined;
      if (o.once) {
        // Exactly --now: a pass repeated with the same time decides the same.
        const pass = await runSchedulerPass(ctx.inventoryInputs(), start ?? new Date());
        pass.events.forEach(print);
        if (startRun) for (const e of pass.events) if (e.event === 'opened') await startRun(e);
        await notifyPass(ctx.inventoryInputs(), start ?? new Date()).catch((e: unknown) =>
          note(`notifications: ${e instanceof Error ? e.message : String(e)}`),
        );
        return;
      }
      const stop = new AbortController();
      const onSignal = (name: string) => () => {
        process.stderr.write(`scheduler: ${name} received, stopping after the current pass\n`);
        stop.abort();
      };
      const handlers = { SIGTERM: onSignal('SIGTERM'), SIGINT: onSignal('SIGINT') } as const;
      for (const [sig, h] of Object.entries(handlers)) process.once(sig, h);
      try {
        process.stderr.write(
          `scheduler: running, a pass every ${interval} s (stop with SIGTERM or Ctrl-C)\n`,
        );
        await runSchedulerLoop(ctx.inventoryInputs(), {
          clock,
          intervalSeconds: interval,
          signal: stop.signal,
          onEvent: print,
          onNote: note,
          ...(startRun ? { startRun } : {}),
        });
      } finally {
        for (const [sig, h] of Object.entries(handlers)) process.off(sig, h);
      }
    });
}

/** Starts the run of each window a pass opens, printing its progress; never throws (the loop goes on). */
async function windowRunStarter(ctx: CliContext, clock: () => Date) {
  const [{ startWindowRun }, { eventLine: runLine, summaryLines }] = await Promise.all([
    import('../../app/rollout/run-app.js'),
    import('./run-output.js'),
  ]);
  return async (e: WindowEvent): Promise<void> => {
    const r = await startWindowRun(ctx.inventoryInputs(), e, clock(), (x) =>
      process.stdout.write(runLine(x) + '\n'),
    );
    if (r.summary) process.stdout.write(summaryLines(r.summary) + '\n');
    if (r.error)
      process.stderr.write(safeText(`scheduler: the run of ${e.window} failed to start: ${r.error}`) + '\n');
  };
}
