import { OperationalError } from '../../core/errors.js';
import { assertPackageNames, assertPackageTargets } from '../../core/patching/package-names.js';
import {
  DPKG_VERSIONS_FORMAT,
  parseAptCachePolicy,
  parseAptVersionTable,
  parseAptSimulation,
  parseDpkgVersions,
  parseUnpacked,
  type VersionsByName,
} from '../../core/patching/parse-apt-output.js';
import type { Transport } from '../transport/transport.js';
import { beyondTargets, checkInstalled, HostOpsBase } from './host-ops-base.js';
import type { ApplyExamination, ApplyResult, CommandOutput, PackageTarget } from './host-ops.js';

/**
 * The environment of every command that changes packages (the Transport has no env option, so it is an
 * `env` prefix): no debconf questions, needrestart only lists (the run restarts what it chose), no
 * apt-listchanges pager, and ucf keeps the admin's files as dpkg's --force-confold does for conffiles.
 */
export const APT_ENV = [
  'env',
  'DEBIAN_FRONTEND=noninteractive',
  'NEEDRESTART_MODE=l',
  'APT_LISTCHANGES_FRONTEND=none',
  'UCF_FORCE_CONFFOLD=1',
] as const;

/** Keep a changed config file; take the package's new one only where the admin never changed it. */
const DPKG_CONF = ['--force-confold', '--force-confdef'] as const;

const MINUTE = 60_000;

/** `NAME=VERSION`: apt's exact-version request. */
const spec = (t: PackageTarget) => `${t.name}=${t.version}`;

/** `apt-get install` argv for exactly `targets` (see docs/patching.md for each option). */
export function aptInstallArgv(
  targets: readonly PackageTarget[],
  opts: { lockTimeoutSeconds: number; downgrade?: boolean },
): string[] {
  return [
    ...APT_ENV,
    'apt-get',
    'install',
    '-y',
    '-q',
    opts.downgrade ? '--allow-downgrades' : '--only-upgrade',
    '--no-remove',
    ...DPKG_CONF.flatMap((o) => ['-o', `Dpkg::Options::=${o}`]),
    '-o',
    `DPkg::Lock::Timeout=${Math.max(0, Math.floor(opts.lockTimeoutSeconds))}`,
    '--',
    ...targets.map(spec),
  ];
}

/**
 * Debian and Ubuntu: apt-get, apt-cache and dpkg. Every package name and version is checked against
 * dpkg's rules before it reaches a command line, and follows `--`.
 */
export class AptOps extends HostOpsBase {
  readonly family = 'debian' as const;

  constructor(transport: Transport) {
    super(transport, {
      family: 'debian',
      lockHolders: ['apt', 'apt-get', 'aptitude', 'dpkg', 'unattended-upgr', 'apt.systemd.dai'],
      missingKernelMeansReboot: false,
      serviceManager: 'systemd',
    });
  }

  async candidateVersions(names: readonly string[]): Promise<VersionsByName> {
    assertPackageNames('debian', names);
    if (names.length === 0) return {};
    const r = await this.transport.run(['apt-cache', 'policy', '--', ...names]);
    if (r.code !== 0) throw this.failed('apt-cache policy', r.code, r.stderr);
    return parseAptCachePolicy(r.stdout, names);
  }

  override async availableVersions(names: readonly string[]): Promise<Record<string, string[]>> {
    assertPackageNames('debian', names);
    if (names.length === 0) return {};
    const r = await this.transport.run(['apt-cache', 'policy', '--', ...names]);
    if (r.code !== 0) throw this.failed('apt-cache policy', r.code, r.stderr);
    return parseAptVersionTable(r.stdout, names);
  }

  async installedVersions(names: readonly string[]): Promise<VersionsByName> {
    assertPackageNames('debian', names);
    if (names.length === 0) return {};
    const r = await this.transport.run(['dpkg-query', '-W', '-f', DPKG_VERSIONS_FORMAT, '--', ...names]);
    // Exit 1 with `no packages found matching NAME` on stderr: some names are not installed.
    if (r.code !== 0 && r.code !== 1) throw this.failed('dpkg-query', r.code, r.stderr);
    return parseDpkgVersions(r.stdout, names);
  }

  async simulate(
    targets: readonly PackageTarget[],
    opts: { downgrade?: boolean } = {},
  ): Promise<ApplyResult> {
    assertPackageTargets('debian', targets);
    if (targets.length === 0) return { ok: true, commands: [], installed: {} };
    const argv = [
      'apt-get',
      '-s',
      '-o',
      'Debug::NoLocking=1',
      'install',
      opts.downgrade ? '--allow-downgrades' : '--only-upgrade',
      '--no-remove',
      '-y',
      '--',
      ...targets.map(spec),
    ];
    const out = await this.command(argv, { timeoutMs: 5 * MINUTE });
    const sim = parseAptSimulation(out.stdout);
    const installed = await this.installedVersions(targets.map((t) => t.name));
    const result: ApplyResult = {
      ok: out.code === 0,
      commands: [out],
      installed,
      alsoChanged: beyondTargets(sim.changes, targets),
    };
    if (sim.removed.length > 0) result.removed = sim.removed;
    if (out.code !== 0) result.message = aptError(out);
    return result;
  }

  async apply(
    targets: readonly PackageTarget[],
    opts: { lockTimeoutSeconds: number; downgrade?: boolean },
  ): Promise<ApplyResult> {
    assertPackageTargets('debian', targets);
    if (targets.length === 0) return { ok: true, commands: [], installed: {} };
    const out = await this.command(aptInstallArgv(targets, opts), {
      timeoutMs: opts.lockTimeoutSeconds * 1000 + 15 * MINUTE,
    });
    const installed = await this.installedVersions(targets.map((t) => t.name));
    const wrong = checkInstalled('debian', targets, installed);
    const result: ApplyResult = {
      ok: out.code === 0 && wrong === undefined,
      commands: [out],
      installed,
      alsoChanged: beyondTargets(parseUnpacked(out.stdout), targets),
    };
    if (out.code !== 0) result.message = aptError(out);
    else if (wrong) result.message = wrong;
    return result;
  }

  async examineApply(names: readonly string[]): Promise<ApplyExamination> {
    assertPackageNames('debian', names);
    const audit = await this.transport.run(['dpkg', '--audit']);
    const report = (audit.stdout.trim() || audit.stderr.trim()).slice(0, 4000);
    const consistent = audit.code === 0 && audit.stdout.trim() === '';
    return {
      consistent,
      installed: await this.installedVersions(names),
      detail: consistent ? 'dpkg --audit found nothing half-installed' : `dpkg --audit: ${report}`,
    };
  }

  repair(): Promise<CommandOutput> {
    return this.command([...APT_ENV, 'dpkg', ...DPKG_CONF, '--configure', '-a'], { timeoutMs: 30 * MINUTE });
  }

  private failed(what: string, code: number | null, stderr: string): OperationalError {
    return new OperationalError(
      'package-query',
      `${this.transport.name}: ${what} exited ${code ?? 'on a signal'}: ${stderr.trim().slice(0, 300)}`,
    );
  }
}

/** The `E:` lines apt printed (its reasons), else the end of its error output. */
function aptError(out: CommandOutput): string {
  const errors = out.stderr.split('\n').filter((l) => l.startsWith('E: '));
  const text = errors.length > 0 ? errors.join(' ') : out.stderr.trim().slice(-500);
  return `apt-get exited ${out.code ?? 'on a signal'}: ${text || 'no error message'}`;
}
