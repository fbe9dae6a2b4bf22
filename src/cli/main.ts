import { Command, CommanderError } from 'commander';
import { isKnownError, UserError } from '../core/errors.js';
import { CliContext, type GlobalOptions } from './context.js';
import { EXIT } from './exit-codes.js';
import { safeLines } from './output.js';
import { safeText } from './safe-text.js';
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
      '--debug',
      'print the cause of an error, and the stack trace of an internal one ($PATCHWISE_DEBUG=1)',
    )
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

/** SQLite result codes of a damaged file, from a query after the store opened (the open maps its own). */
const DAMAGED_STORE = /^SQLITE_(CORRUPT|NOTADB)/;

/**
 * Reports an error the way the exit-code contract says and returns the code. With `debug` (`--debug` or
 * $PATCHWISE_DEBUG) the cause of a known error and the stack of an internal one are printed too.
 */
export function reportError(e: unknown, debug = Boolean(process.env.PATCHWISE_DEBUG)): number {
  if (e instanceof CommanderError) {
    if (e.code === 'commander.helpDisplayed' || e.code === 'commander.version' || e.exitCode === 0)
      return EXIT.ok;
    if (e.code === 'commander.help') return EXIT.ok;
    return EXIT.user;
  }
  if (isKnownError(e)) {
    process.stderr.write(`error: ${safeLines(e.message)}\n`);
    if (e.hint) process.stderr.write(`hint: ${safeLines(e.hint)}\n`);
    if (debug && e.cause) process.stderr.write(`cause: ${safeLines(causeText(e.cause))}\n`);
    return e instanceof UserError ? EXIT.user : EXIT.operational;
  }
  const code = (e as { code?: unknown } | null)?.code;
  if (typeof code === 'string' && DAMAGED_STORE.test(code)) {
    process.stderr.write(
      `error: The database is damaged (${safeText((e as Error).message)}).\n` +
        'hint: Move patchwise.db in the data directory aside and import feeds and scans again, or restore it from a backup.\n',
    );
    if (debug) process.stderr.write(`${safeLines(String((e as Error).stack))}\n`);
    return EXIT.user;
  }
  if (debug)
    process.stderr.write(
      `patchwise: internal error (a bug; please report it):\n${safeLines((e as Error)?.stack ?? String(e))}\n`,
    );
  else
    process.stderr.write(
      `patchwise: internal error (a bug; please report it): ${safeText(e instanceof Error ? e.message : String(e))}\n` +
        'hint: Run again with --debug to print the stack trace for the report.\n',
    );
  return EXIT.operational;
}

/** A cause as text: its message, and under it the causes it wraps in turn. */
function causeText(cause: unknown): string {
  const lines: string[] = [];
  for (let c = cause, depth = 0; c !== undefined && depth < 5; c = (c as Error).cause, depth++)
    lines.push(String(c));
  return lines.join('\n  caused by: ');
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
    code = reportError(e, Boolean(process.env.PATCHWISE_DEBUG || program.opts<GlobalOptions>().debug));
  } finally {
    await ctx.close().catch(() => undefined);
  }
  process.exitCode = code;
}
