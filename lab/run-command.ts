import { spawn } from 'node:child_process';
import { OperationalError } from '../src/core/errors.js';

/** What a finished command returned. */
export interface CommandResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Options for {@link runCommand}. */
export interface RunOptions {
  input?: string;
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  timeoutMs?: number;
  /** Throw an OperationalError unless the command exits 0 (default true). */
  check?: boolean;
}

/**
 * Runs `argv` without a shell and collects its output. Lab operations are root-only local work, so a
 * failure is operational (exit 3) and carries the command's stderr tail.
 */
export function runCommand(argv: readonly string[], opts: RunOptions = {}): Promise<CommandResult> {
  const [cmd, ...args] = argv;
  if (!cmd) throw new Error('runCommand: empty argv');
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, {
      env: opts.env ?? process.env,
      cwd: opts.cwd,
      stdio: [opts.input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    const timer = opts.timeoutMs ? setTimeout(() => child.kill('SIGKILL'), opts.timeoutMs) : undefined;
    child.stdout?.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', (e) => reject(new OperationalError('lab-exec', `Cannot run ${cmd}: ${e.message}`)));
    child.on('close', (code) => {
      if (timer) clearTimeout(timer);
      const r = { code, stdout, stderr };
      if (opts.check !== false && code !== 0) {
        const tail = (stderr.trim() || stdout.trim()).split('\n').slice(-5).join('\n');
        reject(
          new OperationalError(
            'lab-command-failed',
            `${argv.join(' ').slice(0, 200)} exited ${code}:\n${tail}`,
          ),
        );
      } else resolve(r);
    });
    if (child.stdin) {
      child.stdin.on('error', () => undefined); // a child that exits without reading its input
      child.stdin.end(opts.input);
    }
  });
}

/** Prints a progress line for long lab work on stderr. */
export function say(message: string): void {
  if (process.env.PATCHWISE_LAB_QUIET) return;
  process.stderr.write(`lab: ${message}\n`);
}

/** Runs `fn` on each item with at most `limit` running at once; results keep the input order. */
export async function mapLimit<T, R>(
  items: readonly T[],
  limit: number,
  fn: (item: T) => Promise<R>,
): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      results[i] = await fn(items[i]!);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}

/** Sleeps for `ms` milliseconds. */
export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));
