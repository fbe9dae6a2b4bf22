import { execFile } from 'node:child_process';
import fs from 'node:fs/promises';
import { OperationalError } from '../../core/errors.js';
import type { RunOptions, RunResult, Transport } from './transport.js';

const DEFAULT_TIMEOUT_MS = 120_000;
const DEFAULT_MAX_BUFFER = 64 * 1024 * 1024;

/** The machine patchwise runs on: commands through execFile (no shell), files through node:fs. */
export class LocalTransport implements Transport {
  readonly name = 'local';

  run(argv: readonly string[], opts: RunOptions = {}): Promise<RunResult> {
    const [cmd, ...args] = argv;
    if (!cmd) return Promise.reject(new Error('LocalTransport.run: empty argument vector'));
    return new Promise((resolve, reject) => {
      const child = execFile(
        cmd,
        args,
        {
          encoding: 'utf8',
          timeout: opts.timeoutMs ?? DEFAULT_TIMEOUT_MS,
          maxBuffer: opts.maxBuffer ?? DEFAULT_MAX_BUFFER,
          env: { ...process.env, LC_ALL: 'C.UTF-8', LANG: 'C.UTF-8' },
        },
        (error, stdout, stderr) => {
          if (!error) return resolve({ code: 0, stdout, stderr });
          const e = error as NodeJS.ErrnoException & { code?: unknown; killed?: boolean };
          if (typeof e.code === 'number') return resolve({ code: e.code, stdout, stderr });
          reject(runFailure(cmd, e));
        },
      );
      if (opts.input !== undefined) child.stdin?.end(opts.input);
      else child.stdin?.end();
    });
  }

  async readFile(path: string): Promise<string> {
    try {
      return await fs.readFile(path, 'utf8');
    } catch (e) {
      throw new OperationalError('local-read', `Cannot read ${path} on this machine.`, undefined, {
        cause: e,
      });
    }
  }
}

function runFailure(cmd: string, e: NodeJS.ErrnoException & { killed?: boolean }): OperationalError {
  if (e.code === 'ENOENT') {
    return new OperationalError('command-missing', `The command ${cmd} is not installed on this machine.`);
  }
  if (e.killed)
    return new OperationalError('command-timeout', `The command ${cmd} timed out.`, undefined, { cause: e });
  if (e.code === 'ERR_CHILD_PROCESS_STDIO_MAXBUFFER') {
    return new OperationalError(
      'command-output',
      `The command ${cmd} printed more output than allowed.`,
      undefined,
      { cause: e },
    );
  }
  return new OperationalError('command-failed', `The command ${cmd} could not run: ${e.message}`, undefined, {
    cause: e,
  });
}
