import type { Service } from '../../core/inventory/host.js';

/** One package to bring to an exact version (`version` is the full version string, epoch included). */
export interface PackageTarget {
  name: string;
  version: string;
}

/** Output of a command run on a host for a step, kept in the step's record (bounded by the caller). */
export interface CommandOutput {
  argv: string[];
  code: number | null;
  stdout: string;
  stderr: string;
}

/** What the pre-checks found; `problems` empty means the host may be patched. */
export interface PrecheckResult {
  problems: string[];
  /** free space on / and /var in MiB */
  freeMiB?: number;
  /** a package manager process holding the lock, when one does */
  lockHolder?: string;
  bootTime?: string;
  rebootPending: boolean;
}

/** What applying (or simulating) did: the commands with their output, and whether it succeeded. */
export interface ApplyResult {
  ok: boolean;
  commands: CommandOutput[];
  /** the installed version of each target after the command (absent: not installed) */
  installed: Record<string, string | undefined>;
  /** packages the simulation or the apply would change beyond the targets (dependencies) */
  alsoChanged?: PackageTarget[];
  /** packages the simulation or the apply would remove (patchwise asks the package manager not to) */
  removed?: string[];
  message?: string;
}

/** The health of one service. */
export interface HealthResult {
  service: string;
  ok: boolean;
  /** `unit lab-web.service active`, `http 503 from http://...`, `tcp 127.0.1.1:6379 refused` */
  detail: string;
}

/** What `dpkg --audit` (or the family's equivalent) and the versions say after an interrupted apply. */
export interface ApplyExamination {
  /** the package database is consistent (nothing half-configured) */
  consistent: boolean;
  installed: Record<string, string | undefined>;
  detail: string;
}

/**
 * The patching operations on one host, through its transport, for one package family (apt on
 * Debian/Ubuntu, dnf on RHEL-likes, apk on Alpine). Every command is an argument vector: nothing from the
 * inventory, a feed or the host is ever pasted into a shell string. Failures of the world (unreachable,
 * timeout) throw OperationalError; a command that runs and fails is a result with `ok: false`.
 */
export interface HostOps {
  readonly family: 'debian' | 'rhel' | 'alpine';
  /** reachable; free disk of at least `minFreeMiB`; no package manager running; pending reboot; boot time */
  precheck(opts: { minFreeMiB: number }): Promise<PrecheckResult>;
  /**
   * The package manager's own simulation of applying `targets` (apt-get -s, dnf --assumeno, apk -s);
   * `downgrade` simulates a rollback as `apply` would run it.
   */
  simulate(targets: readonly PackageTarget[], opts?: { downgrade?: boolean }): Promise<ApplyResult>;
  /**
   * Installs exactly `targets` (apt: non-interactive, --only-upgrade, keep existing config files, wait
   * for the lock up to `lockTimeoutSeconds`); `downgrade` allows older versions (rollback without a
   * snapshot).
   */
  apply(
    targets: readonly PackageTarget[],
    opts: { lockTimeoutSeconds: number; downgrade?: boolean },
  ): Promise<ApplyResult>;
  /**
   * The version the package manager would install for each of `names` from its configured repositories
   * (apt-cache policy's Candidate, dnf's latest available, apk's); undefined when none. The run resolves
   * a plan's "fixed in X" to the candidate when the candidate is at least X (mirrors keep only the newest
   * security build).
   */
  candidateVersions(names: readonly string[]): Promise<Record<string, string | undefined>>;
  /**
   * Every version the configured repositories offer for each of `names`, newest first (apt: the
   * `apt-cache policy` version table; dnf and apk: the candidate only). A run takes the oldest offered
   * version that still carries the fix: exactly what the plan asks for when the repository has it.
   */
  availableVersions(names: readonly string[]): Promise<Record<string, string[]>>;
  /** Installed versions of `names` (undefined: not installed). */
  installedVersions(names: readonly string[]): Promise<Record<string, string | undefined>>;
  /** After an interrupted apply: is the package database consistent, and what is installed. */
  examineApply(names: readonly string[]): Promise<ApplyExamination>;
  /** `dpkg --configure -a` (or the family's equivalent): finishes a half-done apply. */
  repair(): Promise<CommandOutput>;
  /** Pending reboot: /run/reboot-required, a newer kernel than the running one, needs-restarting -r. */
  rebootPending(): Promise<{ pending: boolean; why: string[] }>;
  /** The host's boot time (ISO 8601, whole seconds), by the same convention as the scan collector. */
  bootTime(): Promise<string>;
  /** Asks the host to reboot (`systemctl reboot`); returns without waiting (the connection may drop). */
  reboot(): Promise<void>;
  /** The systemd units whose processes map deleted files (the restart list); `other` for the rest. */
  restartList(): Promise<{ units: string[]; other: string[] }>;
  /** Restarts units (`systemctl restart UNIT...`). */
  restartUnits(units: readonly string[]): Promise<CommandOutput>;
  /** Each service's health check once: systemd unit active, HTTP 2xx, TCP connect, or a command's exit 0. */
  health(services: readonly Service[]): Promise<HealthResult[]>;
  /**
   * How long each unit has been active without a restart, in seconds, by its service manager
   * (systemd's ActiveEnterTimestamp against the host's clock); undefined for a unit that is not active.
   * A unit up longer than the settle time has already shown it holds: verify need not wait for it.
   * Absent where the service manager cannot say (OpenRC).
   */
  unitsActiveSeconds?(units: readonly string[]): Promise<Record<string, number | undefined>>;
  /** Runs a hook (argv) on the host. */
  hook(argv: readonly string[]): Promise<CommandOutput>;
}
