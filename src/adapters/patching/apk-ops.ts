import { OperationalError } from '../../core/errors.js';
import { APK_INSTALLED_PATH, parseApkInstalled } from '../../core/inventory/parse-apk-installed.js';
import { assertPackageNames, assertPackageTargets } from '../../core/patching/package-names.js';
import type { VersionsByName } from '../../core/patching/parse-apt-output.js';
import { parseApkPolicy, parseApkSteps } from '../../core/patching/parse-apk-output.js';
import type { Transport } from '../transport/transport.js';
import { beyondTargets, checkInstalled, HostOpsBase } from './host-ops-base.js';
import type { ApplyExamination, ApplyResult, CommandOutput, PackageTarget } from './host-ops.js';

const MINUTE = 60_000;

/**
 * The apk constraint of a target. An upgrade asks for `NAME>=VERSION`: apk records its constraints in
 * /etc/apk/world, and `NAME=VERSION` there would hold the package at that version for good; the run
 * targets the repository's candidate, which `>=` installs, and the result is checked to be exactly it.
 * A rollback asks for `NAME=VERSION` (held until the next plan moves it).
 */
const constraint = (t: PackageTarget, downgrade: boolean) => `${t.name}${downgrade ? '=' : '>='}${t.version}`;

/**
 * Alpine: apk and OpenRC. Proven only by unit tests with a scripted transport (this project has no
 * Alpine machine yet); the output formats follow apk-tools 2. Names and versions are checked against
 * apk's rules (begun by a letter or digit) before they reach a command line.
 */
export class ApkOps extends HostOpsBase {
  readonly family = 'alpine' as const;

  constructor(transport: Transport) {
    super(transport, {
      family: 'alpine',
      lockHolders: ['apk'],
      missingKernelMeansReboot: true,
      serviceManager: 'openrc',
    });
  }

  async candidateVersions(names: readonly string[]): Promise<VersionsByName> {
    assertPackageNames('alpine', names);
    if (names.length === 0) return {};
    const r = await this.transport.run(['apk', 'policy', ...names], { timeoutMs: 5 * MINUTE });
    if (r.code !== 0) {
      throw new OperationalError(
        'package-query',
        `${this.transport.name}: apk policy exited ${r.code ?? 'on a signal'}: ${r.stderr.trim().slice(0, 300)}`,
      );
    }
    return parseApkPolicy(r.stdout, names);
  }

  async installedVersions(names: readonly string[]): Promise<VersionsByName> {
    assertPackageNames('alpine', names);
    if (names.length === 0) return {};
    // The same database file and parser as the scan.
    const { packages } = parseApkInstalled(await this.transport.readFile(APK_INSTALLED_PATH));
    const byName = new Map(packages.map((p) => [p.name, p.version]));
    return Object.fromEntries(names.map((n) => [n, byName.get(n)]));
  }

  async simulate(
    targets: readonly PackageTarget[],
    opts: { downgrade?: boolean } = {},
  ): Promise<ApplyResult> {
    assertPackageTargets('alpine', targets);
    if (targets.length === 0) return { ok: true, commands: [], installed: {} };
    const argv = [
      'apk',
      'add',
      '--simulate',
      '--no-cache',
      ...targets.map((t) => constraint(t, opts.downgrade ?? false)),
    ];
    const out = await this.command(argv, { timeoutMs: 5 * MINUTE });
    const steps = parseApkSteps(out.stdout);
    const result: ApplyResult = {
      ok: out.code === 0,
      commands: [out],
      installed: await this.installedVersions(targets.map((t) => t.name)),
      alsoChanged: beyondTargets(steps.changes, targets),
    };
    if (steps.removed.length > 0) result.removed = steps.removed;
    if (out.code !== 0) result.message = apkError(out);
    return result;
  }

  async apply(
    targets: readonly PackageTarget[],
    opts: { lockTimeoutSeconds: number; downgrade?: boolean },
  ): Promise<ApplyResult> {
    assertPackageTargets('alpine', targets);
    if (targets.length === 0) return { ok: true, commands: [], installed: {} };
    const out = await this.command(apkApplyArgv(targets, opts), {
      timeoutMs: opts.lockTimeoutSeconds * 1000 + 15 * MINUTE,
    });
    const installed = await this.installedVersions(targets.map((t) => t.name));
    const wrong = checkInstalled('alpine', targets, installed);
    const result: ApplyResult = {
      ok: out.code === 0 && wrong === undefined,
      commands: [out],
      installed,
      alsoChanged: beyondTargets(parseApkSteps(out.stdout).changes, targets),
    };
    if (out.code !== 0) result.message = apkError(out);
    else if (wrong) result.message = wrong;
    return result;
  }

  async examineApply(names: readonly string[]): Promise<ApplyExamination> {
    assertPackageNames('alpine', names);
    // `apk fix` with no names repairs packages in an error state; simulated, it lists them.
    const r = await this.transport.run(['apk', 'fix', '--simulate'], { timeoutMs: 5 * MINUTE });
    const pending = parseApkSteps(r.stdout);
    const broken = [...pending.changes.map((c) => c.name), ...pending.removed];
    const consistent = r.code === 0 && broken.length === 0;
    return {
      consistent,
      installed: await this.installedVersions(names),
      detail: consistent
        ? 'apk fix --simulate found nothing to repair'
        : `apk fix --simulate (exit ${r.code ?? 'signal'}): ${broken.join(', ') || r.stderr.trim().slice(0, 2000)}`,
    };
  }

  repair(): Promise<CommandOutput> {
    return this.command(['apk', 'fix', '--no-cache'], { timeoutMs: 30 * MINUTE });
  }
}

/** `apk add --no-cache --wait N CONSTRAINT...` (see {@link constraint}). */
export function apkApplyArgv(
  targets: readonly PackageTarget[],
  opts: { lockTimeoutSeconds: number; downgrade?: boolean },
): string[] {
  const wait = String(Math.max(0, Math.floor(opts.lockTimeoutSeconds)));
  return [
    'apk',
    'add',
    '--no-cache',
    '--wait',
    wait,
    ...targets.map((t) => constraint(t, opts.downgrade ?? false)),
  ];
}

function apkError(out: CommandOutput): string {
  const errors = `${out.stdout}\n${out.stderr}`.split('\n').filter((l) => /^(ERROR| {2})/.test(l));
  const text = errors.length > 0 ? errors.join(' ').replace(/\s+/g, ' ') : out.stderr.trim().slice(-500);
  return `apk exited ${out.code ?? 'on a signal'}: ${text || 'no error message'}`;
}
