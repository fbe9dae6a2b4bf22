import type { Command } from 'commander';
import type { CliContext } from '../context.js';
import { printJson } from '../output.js';
import { safeText } from '../safe-text.js';

/** Registers `patchwise windows ack`. */
export function registerAck(windows: Command, ctx: CliContext): void {
  windows
    .command('ack')
    .description("The window owner's acknowledgement of an occurrence: tier 1 hosts in its run need it.")
    .argument('<window>', 'the window')
    .option(
      '--occurrence <start>',
      "the occurrence's start, ISO 8601 (default: the one open now, else the next)",
    )
    .requiredOption('--by <name>', "who acknowledges: the window's owner")
    .option('--json', 'print the recorded event as JSON')
    .addHelpText(
      'after',
      `
Examples:
  patchwise windows ack db-monthly --by dba-team
  patchwise windows ack db-monthly --occurrence 2026-12-12T01:00:00Z --by dba-team

Recorded as a window event "acknowledged" (patchwise windows events) and in the decision log. A run of
the window skips its tier 1 hosts ("window not acknowledged by its owner") until the owner has
acknowledged that occurrence. Emergency runs do not need it.`,
    )
    .action(async (window: string, o: { occurrence?: string; by: string; json?: boolean }) => {
      const [{ acknowledgeWindow }, { currentActor }] = await Promise.all([
        import('../../app/rollout/run-app.js'),
        import('../../app/defer.js'),
      ]);
      const r = await acknowledgeWindow(ctx.inventoryInputs(), {
        window,
        ...(o.occurrence ? { occurrence: o.occurrence } : {}),
        by: o.by,
        actor: currentActor(ctx.env),
        now: ctx.now ?? new Date(),
      });
      if (o.json) return printJson(r.event);
      process.stdout.write(
        safeText(
          `${r.added ? 'acknowledged' : 'already acknowledged'}: ${r.event.window} ${r.event.occurrence} by ${o.by}`,
        ) + '\n',
      );
    });
}
