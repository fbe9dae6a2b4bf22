import { OperationalError } from '../../core/errors.js';
import type { HostExtras } from '../../core/inventory/parse-host-extras.js';
import { parseRpmQuery, RPM_QUERY_FORMAT } from '../../core/inventory/parse-rpm-query.js';
import { assertPackageNames, assertPackageTargets } from '../../core/patching/package-names.js';
import type { VersionsByName } from '../../core/patching/parse-apt-output.js';
import {
  parseDnfTransaction,
  parseRepoquery,
  REPOQUERY_FORMAT,
} from '../../core/patching/parse-dnf-output.js';
import { compareVersions } from '../../core/versions/compare-versions.js';
import type { Transport } from '../transport/transport.js';
import { beyondTargets, checkInstalled, HostOpsBase } from './host-ops-base.js';
import type { ApplyExamination, ApplyResult, CommandOutput, PackageTarget } from './host-ops.js';

const MINUTE = 60_000;

/** `NAME-[EPOCH:]VERSION-RELEASE`: dnf's exact-version request. */
const spec = (t: PackageTarget) => `${t.name}-${t.version}`;

/**
 * RHEL, Rocky, Alma, Fedora: dnf and rpm. Proven only by unit tests with a scripted transport (this
 * project has no RHEL-like machine yet); the output formats follow dnf 4 and rpm 4.16.
 */
export class DnfOps extends HostOpsBase {
  readonly family = 'rhel' as const;

  constructor(transport: Transport) {
    super(transport, {
      family: 'rhel',
      lockHolders: ['dnf', 'yum', 'rpm', 'dnf-automatic', 'packagekitd'],
      missingKernelMeansReboot: false,
      serviceManager: 'systemd',
    });
  }

  async candidateVersions(names: readonly string[]): Promise<VersionsByName> {
    assertPackageNames('rhel', names);
    if (names.length === 0) return {};
    const argv = [
      'dnf',
      '-q',
      'repoquery',
      '--available',
      '--latest-limit',
      '1',
      '--qf',
      REPOQUERY_FORMAT,
      '--',
      ...names,
    ];
    const r = await this.transport.run(argv, { timeoutMs: 5 * MINUTE });
    if (r.code !== 0) throw this.failed('dnf repoquery', r.code, r.stderr);
    return parseRepoquery(r.stdout, names);
  }

  async installedVersions(names: readonly string[]): Promise<VersionsByName> {
    assertPackageNames('rhel', names);
    if (names.length === 0) return {};
    // rpm exits with the number of names not installed and prints `package NAME is not installed`.
    const r = await this.transport.run(['rpm', '-q', '--qf', RPM_QUERY_FORMAT, '--', ...names]);
    const newest = new Map<string, string>();
    for (const p of parseRpmQuery(r.stdout).packages) {
      const prev = newest.get(p.name);
      if (prev === undefined || compareVersions('rpm', p.version, prev) > 0) newest.set(p.name, p.version);
    }
    return Object.fromEntries(names.map((n) => [n, newest.get(n)]));
  }

  async simulate(
    targets: readonly PackageTarget[],
    opts: { downgrade?: boolean } = {},
  ): Promise<ApplyResult> {
    assertPackageTargets('rhel', targets);
    if (targets.length === 0) return { ok: true, commands: [], installed: {} };
    const out = await this.command(
      ['dnf', '--assumeno', opts.downgrade ? 'downgrade' : 'upgrade', '--', ...targets.map(spec)],
      {
        timeoutMs: 5 * MINUTE,
      },
    );
    // --assumeno answers no: dnf 4 then exits 1 with `Operation aborted.`; a resolved no-op exits 0.
    const text = `${out.stdout}\n${out.stderr}`;
    const ok = out.code === 0 || (out.code === 1 && /Operation aborted/.test(text) && !/^Error:/m.test(text));
    const tx = parseDnfTransaction(out.stdout);
    const result: ApplyResult = {
      ok,
      commands: [out],
      installed: await this.installedVersions(targets.map((t) => t.name)),
      alsoChanged: beyondTargets(tx.changes, targets),
    };
    if (tx.removed.length > 0) result.removed = tx.removed;
    if (!ok) result.message = dnfError(out);
    return result;
  }

  async apply(
    targets: readonly PackageTarget[],
    opts: { lockTimeoutSeconds: number; downgrade?: boolean },
  ): Promise<ApplyResult> {
    assertPackageTargets('rhel', targets);
    if (targets.length === 0) return { ok: true, commands: [], installed: {} };
    const argv = dnfApplyArgv(targets, opts.downgrade ?? false);
    const out = await this.command(argv, { timeoutMs: opts.lockTimeoutSeconds * 1000 + 15 * MINUTE });
    const installed = await this.installedVersions(targets.map((t) => t.name));
    const wrong = checkInstalled('rhel', targets, installed);
    const result: ApplyResult = { ok: out.code === 0 && wrong === undefined, commands: [out], installed };
    if (out.code !== 0) result.message = dnfError(out);
    else if (wrong) result.message = wrong;
    return result;
  }

  async examineApply(names: readonly string[]): Promise<ApplyExamination> {
    assertPackageNames('rhel', names);
    // rpm transactions do not leave half-configured packages as dpkg can; what can break is the database.
    const r = await this.transport.run(['rpm', '--verifydb'], { timeoutMs: 5 * MINUTE });
    const consistent = r.code === 0;
    return {
      consistent,
      installed: await this.installedVersions(names),
      detail: consistent
        ? 'rpm --verifydb found no problem'
        : `rpm --verifydb exited ${r.code ?? 'on a signal'}: ${r.stderr.trim().slice(0, 2000)}`,
    };
  }

  repair(): Promise<CommandOutput> {
    return this.command(['rpm', '--rebuilddb'], { timeoutMs: 30 * MINUTE });
  }

  /** Adds `needs-restarting -r` (exit 1: reboot needed) to the probe's signals, when the host has it. */
  protected override async rebootFrom(x: HostExtras): Promise<{ pending: boolean; why: string[] }> {
    const base = await super.rebootFrom(x);
    let r;
    try {
      r = await this.transport.run(['needs-restarting', '-r'], { timeoutMs: 2 * MINUTE });
    } catch (e) {
      if (e instanceof OperationalError && e.code === 'command-missing') return base;
      throw e;
    }
    if (r.code !== 1) return base;
    const why = r.stdout
      .split('\n')
      .filter((l) => /^\s*\*/.test(l))
      .map((l) => l.trim().replace(/^\*\s*/, ''));
    return {
      pending: true,
      why: [...base.why, `needs-restarting -r${why.length ? `: ${why.join(', ')}` : ''}`],
    };
  }

  private failed(what: string, code: number | null, stderr: string): OperationalError {
    return new OperationalError(
      'package-query',
      `${this.transport.name}: ${what} exited ${code ?? 'on a signal'}: ${stderr.trim().slice(0, 300)}`,
    );
  }
}

/**
 * `dnf -y upgrade NAME-EVR...` (or `downgrade` for a rollback): exactly the targets; weak dependencies
 * are not pulled in by a patch.
 */
export function dnfApplyArgv(targets: readonly PackageTarget[], downgrade: boolean): string[] {
  return [
    'dnf',
    '-y',
    '--setopt=install_weak_deps=False',
    downgrade ? 'downgrade' : 'upgrade',
    '--',
    ...targets.map(spec),
  ];
}

function dnfError(out: CommandOutput): string {
  const errors = `${out.stdout}\n${out.stderr}`.split('\n').filter((l) => /^(Error|Problem)/.test(l));
  const text = errors.length > 0 ? errors.join(' ') : out.stderr.trim().slice(-500);
  return `dnf exited ${out.code ?? 'on a signal'}: ${text || 'no error message'}`;
}
