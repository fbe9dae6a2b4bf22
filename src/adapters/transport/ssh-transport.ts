import { spawn, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { OperationalError, UserError } from '../../core/errors.js';
import { isSshValue } from '../../core/inventory/ssh-values.js';
import { shellQuoteArgv } from './shell-quote.js';
import { classifySshExit, sshError } from './ssh-errors.js';
import type { RunOptions, RunResult, Transport } from './transport.js';

/** How to reach one host over ssh (the `ssh` part of a Host's connection). */
export interface SshTarget {
  host: string;
  user?: string;
  port?: number;
  jump?: string;
  identityFile?: string;
}

/** Settings shared by every ssh connection of one patchwise data directory. */
export interface SshSettings {
  /** The known_hosts file patchwise pins keys in (`<data dir>/known_hosts`). */
  knownHostsFile: string;
  /** Directory for ControlMaster sockets; short, because a socket path may be at most 108 bytes. */
  controlDir: string;
  connectTimeoutSec?: number;
  /** Seconds an idle master connection stays open for the next command. */
  controlPersistSec?: number;
  /** Default per-command timeout. */
  timeoutMs?: number;
  /** The ssh binary (tests may point at another build). */
  sshBinary?: string;
}

const DEFAULT_TIMEOUT_MS = 120_000;
const DEFAULT_MAX_BUFFER = 64 * 1024 * 1024;
/** The ControlMaster socket directory for a data directory: short, private, one per data dir. */
export function defaultControlDir(dataDir: string): string {
  const tag = createHash('sha256').update(path.resolve(dataDir)).digest('hex').slice(0, 10);
  const base = os.tmpdir().length <= 40 ? os.tmpdir() : '/tmp';
  return path.join(base, `pw-ssh-${process.getuid?.() ?? 0}-${tag}`);
}

/** Validates a target so nothing in it can be read by ssh as an option. */
export function checkSshTarget(t: SshTarget): SshTarget {
  const bad = (field: string, value: string) =>
    new UserError(
      'ssh-bad-target',
      `The ssh ${field} ${JSON.stringify(value.slice(0, 80))} is not allowed.`,
      'Use a host name or address, a plain user name, and [user@]host[:port] for jump.',
    );
  if (!isSshValue('host', t.host)) throw bad('host', t.host);
  if (t.user !== undefined && !isSshValue('user', t.user)) throw bad('user', t.user);
  if (t.jump !== undefined && !isSshValue('jump', t.jump)) throw bad('jump', t.jump);
  if (t.identityFile !== undefined && !isSshValue('path', t.identityFile))
    throw bad('identityFile', t.identityFile);
  return t;
}

/** The ssh options every connection uses: non-interactive, strict keys pinned by patchwise, multiplexed. */
export function sshBaseArgs(t: SshTarget, s: SshSettings): string[] {
  const o = (kv: string) => ['-o', kv];
  const args = [
    '-T',
    ...o('BatchMode=yes'),
    ...o('StrictHostKeyChecking=yes'),
    ...o(`UserKnownHostsFile=${s.knownHostsFile}`),
    ...o('GlobalKnownHostsFile=/dev/null'),
    ...o('UpdateHostKeys=no'),
    ...o('CheckHostIP=no'),
    ...o(`ConnectTimeout=${s.connectTimeoutSec ?? 10}`),
    ...o('ServerAliveInterval=15'),
    ...o('ServerAliveCountMax=3'),
    ...o('ControlMaster=auto'),
    ...o(`ControlPath=${path.join(s.controlDir, '%C')}`),
    ...o(`ControlPersist=${s.controlPersistSec ?? 60}`),
  ];
  if (t.port !== undefined) args.push('-p', String(t.port));
  if (t.user !== undefined) args.push('-l', t.user);
  if (t.jump !== undefined) args.push('-J', t.jump);
  if (t.identityFile !== undefined) args.push('-i', t.identityFile, ...o('IdentitiesOnly=yes'));
  return args;
}

/**
 * A host reached through the system OpenSSH client, so the user's ~/.ssh/config, agent, bastions and
 * certificates apply. Each command is one `ssh` process; a ControlMaster connection carries them all.
 * The remote command is ONE string of POSIX single-quoted arguments: nothing is ever pasted unquoted.
 * ssh's own failures (exit 255 with its diagnostics) become OperationalErrors `ssh-unreachable`,
 * `ssh-auth-failed`, `ssh-host-key-changed`, `ssh-host-key-unknown`, `ssh-timeout`.
 */
export class SshTransport implements Transport {
  readonly name: string;
  private readonly children = new Set<ChildProcess>();
  private closed = false;

  constructor(
    private readonly target: SshTarget,
    private readonly settings: SshSettings,
  ) {
    checkSshTarget(target);
    this.name = `ssh ${target.user ? `${target.user}@` : ''}${target.host}${target.port ? `:${target.port}` : ''}`;
  }

  run(argv: readonly string[], opts: RunOptions = {}): Promise<RunResult> {
    if (this.closed)
      return Promise.reject(new OperationalError('ssh-closed', `${this.name}: transport closed.`));
    const remote = shellQuoteArgv(['env', 'LC_ALL=C', ...argv]);
    return this.spawnSsh(
      [...sshBaseArgs(this.target, this.settings), '--', this.target.host, remote],
      opts,
    ).then((r) => {
      const reason = classifySshExit(r.code, r.stderr);
      if (reason) throw sshError(reason, this.target.host, r.stderr);
      return r;
    });
  }

  async readFile(file: string): Promise<string> {
    const r = await this.run(['cat', '--', file]);
    if (r.code !== 0) {
      throw new OperationalError(
        'remote-read',
        `Cannot read ${file} on ${this.target.host}: ${r.stderr.trim().slice(0, 200)}`,
      );
    }
    return r.stdout;
  }

  /** Kills commands still running; with `exitMaster`, also ends the shared master connection. */
  async close(opts: { exitMaster?: boolean } = {}): Promise<void> {
    this.closed = true;
    for (const c of this.children) c.kill('SIGKILL');
    if (opts.exitMaster) {
      const args = [...sshBaseArgs(this.target, this.settings), '-O', 'exit', '--', this.target.host];
      await this.spawnSsh(args, { timeoutMs: 5_000 }, true).catch(() => undefined);
    }
  }

  private spawnSsh(args: string[], opts: RunOptions, internal = false): Promise<RunResult> {
    fs.mkdirSync(this.settings.controlDir, { recursive: true, mode: 0o700 });
    const timeoutMs = opts.timeoutMs ?? this.settings.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    const maxBuffer = opts.maxBuffer ?? DEFAULT_MAX_BUFFER;
    return new Promise((resolve, reject) => {
      const child = spawn(this.settings.sshBinary ?? 'ssh', args, { stdio: ['pipe', 'pipe', 'pipe'] });
      if (!internal) this.children.add(child);
      const out: Buffer[] = [];
      const err: Buffer[] = [];
      let size = 0;
      let failure: OperationalError | undefined;
      const fail = (e: OperationalError) => {
        failure ??= e;
        child.kill('SIGKILL');
      };
      const timer = setTimeout(
        () => fail(sshError('timeout', this.target.host, `command timed out after ${timeoutMs} ms`)),
        timeoutMs,
      );
      const collect = (into: Buffer[]) => (b: Buffer) => {
        size += b.length;
        if (size > maxBuffer)
          fail(new OperationalError('command-output', `${this.name}: output exceeds ${maxBuffer} bytes.`));
        else into.push(b);
      };
      child.stdout.on('data', collect(out));
      child.stderr.on('data', collect(err));
      child.stdin.on('error', () => undefined);
      child.on('error', (e) =>
        fail(
          new OperationalError('ssh-missing', 'Cannot run the ssh client.', 'Install openssh-client.', {
            cause: e,
          }),
        ),
      );
      child.on('close', (code) => {
        clearTimeout(timer);
        this.children.delete(child);
        if (failure) return reject(failure);
        if (this.closed && code === null) return reject(sshError('timeout', this.target.host, 'stopped'));
        resolve({
          code,
          stdout: Buffer.concat(out).toString('utf8'),
          stderr: Buffer.concat(err).toString('utf8'),
        });
      });
      child.stdin.end(opts.input ?? '');
    });
  }
}
