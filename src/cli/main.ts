import { Command, CommanderError } from 'commander';
import { isKnownError, UserError } from '../core/errors.js';
import { CliContext, type GlobalOptions } from './context.js';
import { EXIT } from './exit-codes.js';
import { safeLines } from './output.js';
import { COMMANDS } from './commands/index.js';

/** Builds the `patchwise` program with every command registered. */
export function buildProgram(ctx?: CliContext): { program: Command; ctx: CliContext } {
  const program = new Command('patchwise')
    .description(
      'Risk-based patch management for cloud VMs: know the fleet, know the risk, decide, patch safely, prove it.',
    )
    .option('-c, --config <file>', 'configuration file (default: $PATCHWISE_CONFIG, else ./patchwise.yaml)')
    .option('-d, --data-dir <dir>', 'data directory (default: $PATCHWISE_HOME, else ./.patchwise)')
    .option(
      '--now <time>',
      'decide as if it were this time (ISO 8601 or a date; default: $PATCHWISE_NOW, else the clock); records nothing',
    )
    .showHelpAfterError('(run with --help for usage)')
    .exitOverride()
    .addHelpText(
      'after',
      `
Exit codes: 0 success, 1 ran and found what --fail-on names, 2 user error, 3 operational failure.
Start here: patchwise feeds import feeds/snapshot && patchwise assess --local
Docs: docs/README.md`,
    );
  const context = ctx ?? new CliContext(process.env, process.cwd(), () => program.opts<GlobalOptions>());
  for (const register of COMMANDS) register(program, context);
  return { program, ctx: context };
}

/** Reports an error the way the exit-code contract says and returns the code. */
export function reportError(e: unknown): number {
  if (e instanceof CommanderError) {
    if (e.code === 'commander.helpDisplayed' || e.code === 'commander.version' || e.exitCode === 0)
      return EXIT.ok;
    if (e.code === 'commander.help') return EXIT.ok;
    return EXIT.user;
  }
  if (isKnownError(e)) {
    process.stderr.write(`error: ${safeLines(e.message)}\n`);
    if (e.hint) process.stderr.write(`hint: ${safeLines(e.hint)}\n`);
    if (process.env.PATCHWISE_DEBUG && e.cause)
      process.stderr.write(`cause: ${safeLines(String(e.cause))}\n`);
    return e instanceof UserError ? EXIT.user : EXIT.operational;
  }
  process.stderr.write(
    `patchwise: internal error (a bug; please report it):\n${safeLines((e as Error)?.stack ?? String(e))}\n`,
  );
  return EXIT.operational;
}

/**
 * A reader that stops early (`patchwise hosts list | head -1`) closes the pipe: the command ends there,
 * quietly, with exit 0, whatever it was writing (as `NdjsonWriter` does for NDJSON). What it had
 * recorded in the store stays recorded; a transaction in flight is rolled back by SQLite. A closed
 * stderr is ignored: the command goes on.
 */
export function endQuietlyOnClosedPipe(): void {
  process.stdout.on('error', (e: NodeJS.ErrnoException) => {
    if (e.code !== 'EPIPE') throw e;
    process.exit(EXIT.ok);
  });
  process.stderr.on('error', (e: NodeJS.ErrnoException) => {
    if (e.code !== 'EPIPE') throw e;
  });
}

/** Entry point: runs the program and sets the process exit code. */
export async function main(argv: string[]): Promise<void> {
  endQuietlyOnClosedPipe();
  const { program, ctx } = buildProgram();
  let code: number = EXIT.ok;
  try {
    await program.parseAsync(argv);
    code = typeof process.exitCode === 'number' ? process.exitCode : EXIT.ok;
  } catch (e) {
    code = reportError(e);
  } finally {
    await ctx.close().catch(() => undefined);
  }
  process.exitCode = code;
}
