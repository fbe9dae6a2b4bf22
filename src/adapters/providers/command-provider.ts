import { execFile } from 'node:child_process';
import type { CommandProviderSchema } from '../../core/config/config-schema.js';
import { OperationalError, UserError } from '../../core/errors.js';
import type { ProgressFn, RestorePointInfo, RestorePointProvider } from './restore-point.js';
import type { z } from 'zod';

export type CommandProviderConfig = z.infer<typeof CommandProviderSchema>;
type Step = 'snapshot' | 'restore' | 'delete' | 'list' | 'status' | 'powerCycle';

/** Test and tuning knobs; the defaults suit real clouds (snapshots take minutes). */
export interface CommandRestorePointOptions {
  /** first wait between status polls; doubles up to `maxPollMs` */
  pollMs?: number;
  maxPollMs?: number;
  /** most bytes of stdout or stderr a command may print */
  maxOutputBytes?: number;
  sleep?: (ms: number) => Promise<void>;
  now?: () => number;
}

interface Ran {
  code: number;
  stdout: string;
  stderr: string;
}

const STATUSES = ['ready', 'pending', 'failed'] as const;
const SECRET_NAME = /KEY|TOKEN|SECRET|PASS|CREDENTIAL|AUTH/i;

/**
 * Substitutes `{id}` and `{snapshot}` inside each argument (never through a shell). A value that could
 * be read as an option (leading `-`) or that holds a NUL or line break is refused.
 */
export function substituteArgv(
  template: readonly string[],
  vars: { id: string; snapshot?: string },
): string[] {
  for (const [key, value] of Object.entries(vars)) {
    if (value === undefined) continue;
    if (value === '' || value.startsWith('-') || /[\0\r\n]/.test(value))
      throw new UserError(
        'command-provider-value',
        `Refusing to pass ${key} ${JSON.stringify(value)} to a provider command: it is empty, starts with "-" (it would read as an option) or holds a control character.`,
        "Check the host's provider id in the inventory.",
      );
  }
  return template.map((arg) =>
    arg.replace(/\{(id|snapshot)\}/g, (whole, key: 'id' | 'snapshot') => vars[key] ?? whole),
  );
}

/**
 * Restore points through the user's own commands (`kind: command`), for any cloud's CLI: `snapshot`,
 * `restore`, `delete`, `list`, `status` and `powerCycle` argument vectors run with execFile, each
 * bounded by `timeoutSeconds` and in its output. After `snapshot`, `status` (or `list`) is polled with
 * backoff until the restore point is ready or `readyTimeoutSeconds` pass. Errors show the command's
 * stderr with the values of secret-looking environment variables removed.
 */
export class CommandRestorePoints implements RestorePointProvider {
  readonly kind = 'command';
  /** Present only when the configuration has a `powerCycle` command. */
  readonly powerCycle?: (id: string, progress?: ProgressFn) => Promise<void>;
  private readonly o: Required<CommandRestorePointOptions>;
  private readonly secrets: string[];

  constructor(
    readonly config: CommandProviderConfig,
    private readonly env: NodeJS.ProcessEnv,
    options: CommandRestorePointOptions = {},
  ) {
    if (config.snapshot && !config.status && !config.list)
      throw new UserError(
        'command-provider-verify',
        'A command provider with a snapshot command needs a status or list command to see the snapshot exist.',
        'Add status: [...] (exit 0 when {snapshot} exists, 1 when not) to the provider in patchwise.yaml.',
      );
    this.o = {
      pollMs: 5_000,
      maxPollMs: 30_000,
      maxOutputBytes: 1024 * 1024,
      sleep: (ms) => new Promise((r) => setTimeout(r, ms)),
      now: () => Date.now(),
      ...options,
    };
    this.secrets = Object.entries(env)
      .filter(([k, v]) => SECRET_NAME.test(k) && v && v.length >= 4)
      .map(([, v]) => v!);
    if (config.powerCycle)
      this.powerCycle = async (id, progress) => {
        progress?.(`Power-cycling ${id} with the powerCycle command.`);
        this.check(await this.run('powerCycle', { id }), 'powerCycle');
      };
  }

  async create(id: string, name: string, progress?: ProgressFn): Promise<RestorePointInfo> {
    const existing = await this.find(id, name);
    if (existing?.status === 'ready') return existing;
    if (!existing) {
      progress?.(`Taking restore point ${name} of ${id}.`);
      this.check(await this.run('snapshot', { id, snapshot: name }), 'snapshot');
    }
    return this.waitReady(id, name, progress);
  }

  async find(id: string, name: string): Promise<RestorePointInfo | undefined> {
    if (!this.config.status) return (await this.listAll(id)).find((r) => r.name === name);
    const r = await this.run('status', { id, snapshot: name });
    if (r.code === 1) return undefined;
    this.check(r, 'status');
    const word = r.stdout.trim().split(/\s+/)[0]?.toLowerCase() || 'ready';
    if (!(STATUSES as readonly string[]).includes(word))
      throw new UserError(
        'command-provider-status',
        `The status command printed "${this.clean(word).slice(0, 40)}"; expected nothing, ready, pending or failed.`,
        'Make it print one of those words (or nothing) and exit 0, or exit 1 when the snapshot is absent.',
      );
    return { name, id: name, status: word as RestorePointInfo['status'] };
  }

  async restore(id: string, name: string, progress?: ProgressFn): Promise<void> {
    const rp = await this.find(id, name);
    if (rp?.status !== 'ready')
      throw new OperationalError(
        'command-restore-point-missing',
        `Restore point ${name} of ${id} is ${rp ? rp.status : 'absent'}; not restoring from it.`,
      );
    progress?.(`Restoring ${id} to ${name}.`);
    this.check(await this.run('restore', { id, snapshot: name }), 'restore');
  }

  async delete(id: string, name: string): Promise<void> {
    if (!(await this.find(id, name))) return;
    this.check(await this.run('delete', { id, snapshot: name }), 'delete');
  }

  async list(id: string): Promise<RestorePointInfo[]> {
    return (await this.listAll(id)).filter((r) => r.name.startsWith('patchwise-'));
  }

  /** Lines of `list`: a name, optionally followed by ready / pending / failed (ready when absent). */
  private async listAll(id: string): Promise<RestorePointInfo[]> {
    const r = await this.run('list', { id });
    this.check(r, 'list');
    return r.stdout
      .split('\n')
      .map((line) => line.trim().split(/\s+/))
      .filter((w) => w[0])
      .map(([name, s]) => {
        const status = (STATUSES as readonly string[]).includes(s?.toLowerCase() ?? '')
          ? (s!.toLowerCase() as RestorePointInfo['status'])
          : 'ready';
        return { name: name!, id: name!, status };
      });
  }

  private async waitReady(id: string, name: string, progress?: ProgressFn): Promise<RestorePointInfo> {
    const limit = (this.config.readyTimeoutSeconds ?? 1200) * 1000;
    const deadline = this.o.now() + limit;
    for (let attempt = 0; ; attempt++) {
      const rp = await this.find(id, name);
      if (rp?.status === 'ready') return rp;
      if (rp?.status === 'failed')
        throw new OperationalError(
          'command-snapshot-failed',
          `The status command reports ${name} as failed.`,
        );
      if (this.o.now() >= deadline)
        throw new OperationalError(
          'command-snapshot-timeout',
          `Restore point ${name} of ${id} was not ready after ${limit / 1000}s (last: ${rp ? rp.status : 'absent'}).`,
          'Check it with your cloud CLI; raise readyTimeoutSeconds for large disks.',
        );
      const ms = Math.min(this.o.pollMs * 2 ** attempt, this.o.maxPollMs);
      progress?.(
        `Restore point ${name} is ${rp ? rp.status : 'not listed yet'}; checking again in ${(ms / 1000).toFixed(1)}s.`,
      );
      await this.o.sleep(ms);
    }
  }

  /** Runs one configured command; a non-zero exit is returned (the caller decides), other failures throw. */
  private run(step: Step, vars: { id: string; snapshot?: string }): Promise<Ran> {
    const template = this.config[step];
    if (!template)
      throw new UserError(
        'command-provider-missing',
        `The command provider has no ${step} command.`,
        `Add ${step}: [program, args...] to the provider in patchwise.yaml.`,
      );
    const [file, ...args] = substituteArgv(template, vars);
    const timeout = (this.config.timeoutSeconds ?? 600) * 1000;
    return new Promise((resolve, reject) => {
      execFile(
        file!,
        args,
        {
          env: this.env,
          timeout,
          killSignal: 'SIGKILL',
          maxBuffer: this.o.maxOutputBytes,
          windowsHide: true,
        },
        (error, stdout, stderr) => {
          const e = error as (NodeJS.ErrnoException & { killed?: boolean; code?: unknown }) | null;
          if (!e) return resolve({ code: 0, stdout, stderr });
          if (typeof e.code === 'number') return resolve({ code: e.code, stdout, stderr });
          reject(this.failure(step, file!, e, timeout));
        },
      );
    });
  }

  private failure(
    step: Step,
    file: string,
    e: NodeJS.ErrnoException & { killed?: boolean },
    timeout: number,
  ) {
    if (e.code === 'ENOENT')
      return new UserError(
        'command-provider-not-found',
        `The ${step} command's program ${this.clean(file)} was not found.`,
        'Use a full path or a program on PATH in the provider configuration.',
      );
    if (e.code === 'ERR_CHILD_PROCESS_STDIO_MAXBUFFER')
      return new OperationalError(
        'command-provider-output',
        `The ${step} command printed more than ${this.o.maxOutputBytes} bytes; stopped it.`,
      );
    if (e.killed)
      return new OperationalError(
        'command-provider-timeout',
        `The ${step} command did not finish within ${timeout / 1000}s; stopped it.`,
        'Raise timeoutSeconds on the provider if the cloud is slow.',
      );
    return new OperationalError(
      'command-provider-failed',
      `The ${step} command failed: ${this.clean(e.message)}`,
    );
  }

  private check(r: Ran, step: Step): void {
    if (r.code === 0) return;
    const tail = this.clean(r.stderr.trim() || r.stdout.trim()).slice(-500);
    throw new OperationalError(
      'command-provider-exit',
      `The ${step} command exited with ${r.code}${tail ? `: ${tail}` : ''}.`,
      'Run the command by hand to see why (patchwise shows the end of its stderr, secrets removed).',
    );
  }

  /** Removes the values of secret-looking environment variables and control characters. */
  private clean(text: string): string {
    let out = text;
    for (const s of this.secrets) out = out.split(s).join('[redacted]');
    const printable = [...out].map((c) => (c.charCodeAt(0) < 32 || c === '\x7f' ? ' ' : c)).join('');
    return printable.replace(/\s+/g, ' ');
  }
}
