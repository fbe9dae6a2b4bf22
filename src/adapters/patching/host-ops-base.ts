import { OperationalError, UserError } from '../../core/errors.js';
import type { Service } from '../../core/inventory/host.js';
import { FAMILY_INFO, type OsFamily } from '../../core/inventory/os-families.js';
import type { HostExtras } from '../../core/inventory/parse-host-extras.js';
import { parseComms } from '../../core/inventory/parse-listening-sockets.js';
import type { PackageChange, VersionsByName } from '../../core/patching/parse-apt-output.js';
import { parseDfPm } from '../../core/patching/parse-apt-output.js';
import { compareVersions, validateVersion } from '../../core/versions/compare-versions.js';
import { collectHostExtras } from '../collectors/host-extras.js';
import { PROC_COMMS } from '../collectors/host-extras-script.js';
import type { RunOptions, Transport } from '../transport/transport.js';
import { assertUnitNames, checkServices, type ServiceManager } from './health-check.js';
import type {
  ApplyExamination,
  ApplyResult,
  CommandOutput,
  HealthResult,
  HostOps,
  PackageTarget,
  PrecheckResult,
} from './host-ops.js';

/**
 * Every process's command name (`PID<TAB>comm`), as the scan's extras probe lists them: a fixed script
 * that needs no procps (Debian minbase and Alpine containers have no pgrep).
 */
export const COMM_SCRIPT = `${PROC_COMMS}; exit 0`;

/** Services a patch run never restarts by itself: restarting them ends sessions or the system bus. */
const NEVER_RESTART = [/^dbus(?:-broker)?\.service$/, /^systemd-logind\.service$/, /^user@\d+\.service$/];

const MINUTE = 60_000;

/** What differs between the families beyond their package commands. */
export interface FamilyTraits {
  family: OsFamily;
  /** command names (`/proc/PID/comm`, at most 15 characters) of the family's package managers */
  lockHolders: readonly string[];
  /** see BootInfoOptions: Alpine has no reboot flag */
  missingKernelMeansReboot: boolean;
  serviceManager: ServiceManager;
}

/** The package changes beyond `targets`, as targets (dependencies a simulation or apply brings along). */
export function beyondTargets(changes: readonly PackageChange[], targets: readonly PackageTarget[]) {
  const names = new Set(targets.map((t) => t.name));
  return changes.filter((c) => !names.has(c.name)).map((c) => ({ name: c.name, version: c.to }));
}

/**
 * The operations all families share (pre-checks, boot time, pending reboot, the restart list, restarts,
 * reboot, health, hooks); each family's file adds its package commands. Boot time, pending reboot and
 * the restart list come from the scan's own extras probe and parsers, so a run and a scan never disagree.
 */
export abstract class HostOpsBase implements HostOps {
  abstract readonly family: OsFamily;

  constructor(
    protected readonly transport: Transport,
    protected readonly traits: FamilyTraits,
  ) {}

  abstract simulate(targets: readonly PackageTarget[], opts?: { downgrade?: boolean }): Promise<ApplyResult>;
  abstract apply(
    targets: readonly PackageTarget[],
    opts: { lockTimeoutSeconds: number; downgrade?: boolean },
  ): Promise<ApplyResult>;
  abstract candidateVersions(names: readonly string[]): Promise<VersionsByName>;
  abstract installedVersions(names: readonly string[]): Promise<VersionsByName>;

  /** The candidate alone, for families whose repositories are asked for one version (dnf, apk). */
  async availableVersions(names: readonly string[]): Promise<Record<string, string[]>> {
    const cand = await this.candidateVersions(names);
    return Object.fromEntries(names.map((n) => [n, cand[n] === undefined ? [] : [cand[n]!]]));
  }
  abstract examineApply(names: readonly string[]): Promise<ApplyExamination>;
  abstract repair(): Promise<CommandOutput>;

  async precheck(opts: { minFreeMiB: number }): Promise<PrecheckResult> {
    const [free, lockHolder, extras] = await Promise.all([this.freeMiB(), this.lockHolder(), this.extras()]);
    const reboot = await this.rebootFrom(extras);
    const problems: string[] = [];
    if (free === undefined) problems.push('could not read the free space of / and /var (df -Pm)');
    else if (free < opts.minFreeMiB)
      problems.push(`only ${free} MiB free on / or /var, less than the ${opts.minFreeMiB} MiB required`);
    if (lockHolder) problems.push(`a package manager is running: ${lockHolder}`);
    const out: PrecheckResult = { problems, rebootPending: reboot.pending };
    if (free !== undefined) out.freeMiB = free;
    if (lockHolder) out.lockHolder = lockHolder;
    if (extras.bootTime) out.bootTime = extras.bootTime;
    return out;
  }

  async rebootPending(): Promise<{ pending: boolean; why: string[] }> {
    return this.rebootFrom(await this.extras());
  }

  async bootTime(): Promise<string> {
    const { bootTime, issues } = await this.extras();
    if (bootTime) return bootTime;
    throw new OperationalError(
      'boot-time',
      `${this.transport.name}: could not read the boot time (${issues.map((i) => i.message).join('; ') || 'no btime in /proc/stat'}).`,
    );
  }

  async reboot(): Promise<void> {
    const argv = this.traits.serviceManager === 'systemd' ? ['systemctl', 'reboot'] : ['reboot'];
    let code: number | null;
    try {
      ({ code } = await this.transport.run(argv, { timeoutMs: 30_000 }));
    } catch (e) {
      // The host going down under us ends the connection: that is the reboot happening.
      if (e instanceof OperationalError) return;
      throw e;
    }
    if (code !== 0) {
      throw new OperationalError(
        'reboot-failed',
        `${this.transport.name}: ${argv.join(' ')} exited ${code ?? 'on a signal'}.`,
      );
    }
  }

  async restartList(): Promise<{ units: string[]; other: string[] }> {
    const { staleProcesses = [] } = await this.extras();
    const units = new Set<string>();
    const other = new Set<string>();
    for (const p of staleProcesses) {
      if (p.unit?.endsWith('.service') && !NEVER_RESTART.some((r) => r.test(p.unit!))) units.add(p.unit);
      else other.add(p.unit ?? `${p.command} (pid ${p.pid})`);
    }
    return { units: [...units].sort(), other: [...other].sort() };
  }

  /**
   * systemd's ActiveEnterTimestamp of each unit (as Unix seconds: systemd 251+) against the host's own
   * clock, in one round trip. The units reach systemctl as positional arguments of a fixed script.
   */
  async unitsActiveSeconds(units: readonly string[]): Promise<Record<string, number | undefined>> {
    if (this.traits.serviceManager !== 'systemd' || units.length === 0) return {};
    assertUnitNames(units);
    const r = await this.transport.run([
      'sh',
      '-c',
      'date +%s && exec systemctl show --timestamp=unix -p ActiveState -p ActiveEnterTimestamp -- "$@"',
      'sh',
      ...units,
    ]);
    if (r.code !== 0) return {};
    return parseUnitsActive(r.stdout, units);
  }

  async restartUnits(units: readonly string[]): Promise<CommandOutput> {
    assertUnitNames(units);
    if (this.traits.serviceManager === 'systemd') {
      return this.command(['systemctl', 'restart', '--', ...units], { timeoutMs: 10 * MINUTE });
    }
    // OpenRC restarts one service per call; the names are positional parameters of a fixed script.
    const script = 'r=0; for s; do rc-service "$s" restart || r=$?; done; exit $r';
    return this.command(['sh', '-c', script, 'sh', ...units], { timeoutMs: 10 * MINUTE });
  }

  health(services: readonly Service[]): Promise<HealthResult[]> {
    return checkServices(this.transport, services, this.traits.serviceManager);
  }

  async hook(argv: readonly string[]): Promise<CommandOutput> {
    if (argv.length === 0 || !argv[0]) {
      throw new UserError(
        'bad-hook',
        'A hook is an argument vector with the command first; this one is empty.',
      );
    }
    return this.command(argv, { timeoutMs: 10 * MINUTE });
  }

  /** Runs `argv` and keeps its whole output. */
  protected async command(argv: readonly string[], opts: RunOptions = {}): Promise<CommandOutput> {
    const r = await this.transport.run(argv, opts);
    return { argv: [...argv], code: r.code, stdout: r.stdout, stderr: r.stderr };
  }

  /** The scan's extras probe (boot, reboot, stale processes), read by the scan's parsers. */
  protected extras(): Promise<HostExtras> {
    return collectHostExtras(this.transport, {
      missingKernelMeansReboot: this.traits.missingKernelMeansReboot,
    });
  }

  /** Pending reboot from the probe: the reboot flag (or a missing running kernel), or a newer kernel. */
  protected async rebootFrom(x: HostExtras): Promise<{ pending: boolean; why: string[] }> {
    const why: string[] = [];
    if (x.reboot?.required) {
      const pkgs = x.reboot.packages.filter((p) => p !== 'kernel');
      if (this.traits.missingKernelMeansReboot && x.reboot.packages.includes('kernel'))
        why.push(`the running kernel ${x.kernel?.running ?? '?'} is no longer installed`);
      if (!this.traits.missingKernelMeansReboot || pkgs.length > 0)
        why.push(`/run/reboot-required${pkgs.length ? ` (${pkgs.join(', ')})` : ''}`);
    }
    const newer = newerKernel(x.kernel?.running, x.kernel?.installed ?? []);
    if (newer) why.push(`kernel ${newer} is installed, ${x.kernel?.running} is running`);
    return { pending: why.length > 0, why };
  }

  /** The least free MiB of / and /var, or undefined when df printed nothing readable. */
  protected async freeMiB(): Promise<number | undefined> {
    const r = await this.transport.run(['df', '-Pm', '/', '/var']);
    const entries = parseDfPm(r.stdout);
    return entries.length > 0 ? Math.min(...entries.map((e) => e.availableMiB)) : undefined;
  }

  /** `NAME (pid N)` of the first running package manager process, if any. */
  protected async lockHolder(): Promise<string | undefined> {
    const r = await this.transport.run(['sh', '-c', COMM_SCRIPT]);
    for (const [pid, comm] of parseComms(r.stdout)) {
      if (this.traits.lockHolders.includes(comm)) return `${comm} (pid ${pid})`;
    }
    return undefined;
  }
}

/**
 * The newest installed kernel when it is newer than the running one (ordered as dpkg orders versions,
 * which suits kernel release strings of every family); undefined otherwise or when unknown.
 */
export function newerKernel(running: string | undefined, installed: readonly string[]): string | undefined {
  if (running === undefined || validateVersion('debian', running) !== undefined) return undefined;
  let newest: string | undefined;
  for (const k of installed) {
    if (validateVersion('debian', k) !== undefined) continue;
    if (newest === undefined || compareVersions('debian', k, newest) > 0) newest = k;
  }
  return newest !== undefined && compareVersions('debian', newest, running) > 0 ? newest : undefined;
}

/** `ok` when every target is installed at exactly its version, else the differences in words. */
export function checkInstalled(
  family: OsFamily,
  targets: readonly PackageTarget[],
  installed: VersionsByName,
): string | undefined {
  const { scheme } = FAMILY_INFO[family];
  const wrong = targets.filter((t) => {
    const now = installed[t.name];
    return (
      now === undefined ||
      validateVersion(scheme, now) !== undefined ||
      compareVersions(scheme, now, t.version) !== 0
    );
  });
  if (wrong.length === 0) return undefined;
  return `not at the target version: ${wrong.map((t) => `${t.name} ${installed[t.name] ?? 'not installed'} (wanted ${t.version})`).join(', ')}`;
}

/**
 * `date +%s` then `systemctl show -p ActiveState -p ActiveEnterTimestamp` blocks (one per unit, in the
 * order asked, blank-line separated): seconds each active unit has been up; undefined when not active
 * or the time is unreadable.
 */
export function parseUnitsActive(text: string, units: readonly string[]): Record<string, number | undefined> {
  const [first, ...rest] = text.split('\n');
  const now = Number(first);
  const blocks = rest
    .join('\n')
    .trim()
    .split(/\n\s*\n/);
  return Object.fromEntries(
    units.map((u, i) => {
      const kv = new Map(
        (blocks[i] ?? '').split('\n').map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]),
      );
      const at = Number(/^@(\d+)$/.exec(kv.get('ActiveEnterTimestamp') ?? '')?.[1]);
      const up = kv.get('ActiveState') === 'active' && Number.isFinite(now) && at > 0 ? now - at : undefined;
      return [u, up === undefined ? undefined : Math.max(0, up)];
    }),
  );
}
