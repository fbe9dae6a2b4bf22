import type { RunOptions, RunResult, Transport } from '../../src/adapters/transport/transport.js';

/** Stands for one argument the test does not know in advance (the extras probe's random marker). */
export const ANY = Symbol('any argument');

/** One command the scripted host expects, in order, and what it answers. */
export interface ScriptStep {
  argv: readonly (string | typeof ANY)[];
  /** the answer; a function sees the real argv (to echo a marker) */
  result?: Partial<RunResult> | ((argv: readonly string[]) => Partial<RunResult>);
  /** thrown instead of answering (a transport failure) */
  error?: Error;
}

/**
 * A Transport for unit tests that expects exactly the scripted argument vectors, in order, and fails the
 * test on any other command: it proves what the code would run on a host, argument by argument.
 */
export class ScriptedTransport implements Transport {
  readonly name = 'scripted';
  readonly calls: { argv: string[]; opts: RunOptions }[] = [];

  constructor(
    private readonly steps: ScriptStep[],
    private readonly files: Record<string, string> = {},
  ) {}

  run(argv: readonly string[], opts: RunOptions = {}): Promise<RunResult> {
    this.calls.push({ argv: [...argv], opts });
    const step = this.steps.shift();
    if (!step) return Promise.reject(new Error(`unexpected command ${JSON.stringify(argv)}`));
    const same = step.argv.length === argv.length && step.argv.every((a, i) => a === ANY || a === argv[i]);
    if (!same) {
      const want = step.argv.map((a) => (a === ANY ? '<any>' : a));
      return Promise.reject(new Error(`expected ${JSON.stringify(want)}, got ${JSON.stringify(argv)}`));
    }
    if (step.error) return Promise.reject(step.error);
    const r = typeof step.result === 'function' ? step.result(argv) : (step.result ?? {});
    return Promise.resolve({ code: 0, stdout: '', stderr: '', ...r });
  }

  readFile(path: string): Promise<string> {
    const text = this.files[path];
    return text === undefined
      ? Promise.reject(new Error(`unexpected read of ${path}`))
      : Promise.resolve(text);
  }

  /** The steps not yet run (a test ends with none left). */
  get remaining(): number {
    return this.steps.length;
  }
}

/** The step of the scan's extras probe (`sh -s -- MARKER`), answering these sections. */
export function extrasStep(sections: Record<string, string>): ScriptStep {
  return {
    argv: ['sh', '-s', '--', ANY],
    result: (argv) => {
      const marker = argv[3]!;
      const body = Object.entries(sections)
        .map(([name, text]) => `\n${marker} ${name}\n${text}`)
        .join('');
      return { stdout: `${body}\n${marker} end\n` };
    },
  };
}
