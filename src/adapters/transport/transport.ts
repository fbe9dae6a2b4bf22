/** Options for one command run on a host. */
export interface RunOptions {
  /** Kill the command after this many milliseconds (default: the transport's own). */
  timeoutMs?: number;
  /** Bytes fed to the command's standard input. */
  input?: string;
  /** Largest stdout/stderr kept, in bytes; more is an error, not a silent cut. */
  maxBuffer?: number;
}

/** What a command did: its exit code (null when killed by a signal), and its output as UTF-8. */
export interface RunResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/**
 * How patchwise reaches a host: run a command given as an argument vector (never a shell string; the
 * transport quotes for the remote side if it needs to) and read a file. Implementations: `local`
 * (this machine, execFile) and `ssh` (the system OpenSSH client). A transport reports the world's
 * failures (host unreachable, command missing, timeout) as `OperationalError`; a non-zero exit of the
 * command itself is a normal result.
 */
export interface Transport {
  /** A short description for messages (`local`, `ssh web-1`). */
  readonly name: string;
  run(argv: readonly string[], opts?: RunOptions): Promise<RunResult>;
  /** The file's content as UTF-8 (invalid bytes become U+FFFD), or an OperationalError. */
  readFile(path: string): Promise<string>;
  close?(): Promise<void>;
}
