import fs from 'node:fs';
import path from 'node:path';
import { OperationalError, UserError } from '../src/core/errors.js';
import { BASE_KEY, ensureBaseRoot } from './base-image.js';
import { writeFleetConfig } from './fleet-config.js';
import { type LabHost, type LabRole, prepareHostLayer } from './host-layer.js';
import {
  bootTimeOf,
  descendants,
  execInHost,
  initPid,
  startSupervisor,
  stopSupervisor,
  supervisorPid,
  tcpOpen,
  waitFor,
} from './host-process.js';
import { cleanupLeftovers } from './cleanup.js';
import { withFileLock } from './file-lock.js';
import { thawLeftovers, withFrozen } from './freezer.js';
import { defaultStateDir, labPaths, type HostPaths, type LabPaths } from './lab-paths.js';
import { ensureLabRepo } from './lab-repo.js';
import { ensurePrerequisites } from './prerequisites.js';
import { ensureRoleLayer, roleLayerDir, roleLayerKey } from './role-layer.js';
import { type CommandResult, mapLimit, runCommand, say } from './run-command.js';
import {
  deleteSnapshotDir,
  readSnapshots,
  restoreLayer,
  saveSnapshot,
  snapshotDir,
  snapshotName,
  type SnapshotInfo,
} from './snapshots.js';

export { isLabRole, LAB_ROLES, type LabHost, type LabRole } from './host-layer.js';
export type { SnapshotInfo } from './snapshots.js';

/** A host as `status` reports it. */
export interface HostStatus {
  name: string;
  address: string;
  role: LabRole;
  state: 'running' | 'booting' | 'stopped';
  /** Boot time, Unix seconds: start of the host's PID 1. */
  bootTime?: number;
  rebootRequired: boolean;
  snapshots: string[];
  /** Sum of the PSS of the host's processes, KiB. */
  memoryKiB?: number;
}

/** How long a host may take to boot until sshd answers. */
const BOOT_TIMEOUT_MS = 90_000;
/** Hosts booted at once by `up`: booting is a few CPU-seconds each, no apt runs at boot. */
const UP_CONCURRENCY = 8;

/** Where a lab's hosts are named and addressed; two labs on one machine need different ones. */
export interface LabOptions {
  stateDir?: string;
  /** Host names are <prefix>-1, <prefix>-2, … (default `lab`). */
  namePrefix?: string;
  /** The first host's N in 127.0.1.N (default 1). */
  firstAddress?: number;
}

/** The lab: a fleet of Debian 12 hosts on this machine. Every operation needs root. */
export class Lab {
  readonly paths: LabPaths;
  private readonly prefix: string;
  private readonly first: number;
  constructor(opts: LabOptions = {}) {
    this.paths = labPaths(path.resolve(opts.stateDir ?? defaultStateDir()));
    this.prefix = opts.namePrefix ?? 'lab';
    this.first = opts.firstAddress ?? 1;
  }

  /**
   * The lab whose state is in `stateDir`, with the name prefix and first address its fleet.json implies
   * (host `<prefix>-<index>` on 127.0.1.<first + index - 1>), so that `up` there adds hosts the same way.
   * A state dir without hosts gives the defaults.
   */
  static fromStateDir(stateDir: string): Lab {
    const probe = new Lab({ stateDir });
    const h = probe.hosts()[0];
    const m = h && /^(.+)-(\d+)$/.exec(h.name);
    const n = h && Number(h.address.split('.').at(-1));
    if (!h || !m || !n) return probe;
    return new Lab({ stateDir, namePrefix: m[1]!, firstAddress: n - h.index + 1 });
  }

  /** The fleet's hosts, from <state dir>/fleet.json. */
  hosts(): LabHost[] {
    if (!fs.existsSync(this.paths.fleet)) return [];
    return (JSON.parse(fs.readFileSync(this.paths.fleet, 'utf8')) as { hosts: LabHost[] }).hosts;
  }

  /** One host by name; UserError when the fleet has none of that name. */
  host(name: string): LabHost {
    const h = this.hosts().find((x) => x.name === name);
    if (!h)
      throw new UserError(
        'lab-unknown-host',
        `The lab has no host named ${name}.`,
        'See `npm run lab -- status`.',
      );
    return h;
  }

  /**
   * Brings the fleet to `count` hosts (lab-1 … lab-N, roles cycled from `roles`), starts every stopped
   * one, and writes patchwise.yaml. A new host is its role's cached layer (built once per machine, see
   * role-layer.ts) plus its own layer with its identity, so it boots straight into its role. Returns
   * the config path once every host it booted has finished booting (services up).
   */
  async up(count: number, roles: readonly LabRole[] = ['plain']): Promise<string> {
    if (!Number.isInteger(count) || count < 1 || this.first + count - 1 > 254) {
      throw new UserError('lab-host-count', `--hosts must be 1..${255 - this.first}, not ${count}.`);
    }
    await ensurePrerequisites();
    await thawLeftovers(this.paths.stateDir);
    for (const d of [this.paths.hosts, this.paths.snapshots, this.paths.aptArchives, this.paths.bases])
      fs.mkdirSync(d, { recursive: true });
    await this.ensureKey();
    await ensureLabRepo(this.paths.repo);
    const lower = await ensureBaseRoot(this.paths.bases);
    const base = path.basename(lower);
    const hosts = this.hosts();
    for (let i = hosts.length + 1; i <= count; i++) {
      const n = this.first + i - 1;
      const role = roles[(i - 1) % roles.length]!;
      const name = `${this.prefix}-${i}`;
      hosts.push({ name, index: i, address: `127.0.1.${n}`, role, base, layer: roleLayerKey(role) });
    }
    // A host listed but never created (an interrupted `up`) is made from the current layers too.
    for (const h of hosts.filter((x) => !x.layer && !fs.existsSync(this.paths.host(x.name).upper)))
      Object.assign(h, { base, layer: roleLayerKey(h.role) });
    this.saveFleet(hosts);
    await this.ensureLayers(hosts);
    const t0 = Date.now();
    await mapLimit(hosts, UP_CONCURRENCY, (h) => this.bringUp(h));
    await this.writeKnownHosts();
    say(`${hosts.length} hosts up in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
    return writeFleetConfig(this.paths, hosts);
  }

  /** Builds the role layers the hosts need and the cache lacks (only those roles, in parallel). */
  private async ensureLayers(hosts: readonly LabHost[]): Promise<void> {
    const needed = new Map<string, LabHost>();
    for (const h of hosts) if (h.layer && !fs.existsSync(roleLayerDir(h.layer))) needed.set(h.layer, h);
    await Promise.all(
      [...needed].map(([key, h]) => {
        if (h.base !== BASE_KEY || key !== roleLayerKey(h.role))
          throw new OperationalError(
            'lab-layer-missing',
            `${h.name} needs the role layer ${key}, which is no longer in ${roleLayerDir(key)}.`,
            'Recreate the lab: `npm run lab -- down`, then `up`.',
          );
        return ensureRoleLayer(h.role, key, this.lowers(h).at(-1)!, this.paths.repo);
      }),
    );
  }

  private async bringUp(h: LabHost): Promise<void> {
    const p = this.paths.host(h.name);
    if (!fs.existsSync(p.upper)) {
      fs.mkdirSync(p.dir, { recursive: true });
      await prepareHostLayer(p, this.lowers(h), h, fs.readFileSync(`${this.paths.key}.pub`, 'utf8'));
    }
    if (supervisorPid(p)) return;
    await this.start(h.name);
    // Its role's services start at boot: wait for the boot to finish, as provisioning used to.
    const boot = await execInHost(p, ['systemctl', 'is-system-running', '--wait'], {
      check: false,
      timeoutMs: BOOT_TIMEOUT_MS,
    });
    if (boot.stdout.trim() === 'degraded') await this.retryFailedUnits(h, p);
  }

  /**
   * A unit that failed at first boot (on a starved 2-core machine a start can time out) is named on stderr
   * and restarted once, as an operator would; a unit failing again leaves the host degraded, and visible.
   */
  private async retryFailedUnits(h: LabHost, p: HostPaths): Promise<void> {
    const failed = await execInHost(p, ['systemctl', 'list-units', '--failed', '--plain', '--no-legend'], {
      check: false,
    });
    const units = failed.stdout
      .split('\n')
      .map((l) => l.trim().split(/\s+/)[0] ?? '')
      .filter((u) => /^[A-Za-z0-9@._:-]+$/.test(u));
    process.stderr.write(
      `lab: ${h.name}: failed at boot: ${units.join(', ') || '(none listed)'}; restarting\n`,
    );
    await execInHost(p, ['systemctl', 'reset-failed'], { check: false });
    for (const u of units)
      await execInHost(p, ['systemctl', 'restart', u], { check: false, timeoutMs: 60_000 });
    await execInHost(p, ['systemctl', 'is-system-running', '--wait'], {
      check: false,
      timeoutMs: BOOT_TIMEOUT_MS,
    });
  }

  /** The host's lower layers, top first: its role layer (when it has one) and the base. */
  private lowers(h: LabHost): string[] {
    const base = path.join(this.paths.bases, h.base);
    return h.layer ? [roleLayerDir(h.layer), base] : [base];
  }

  private saveFleet(hosts: LabHost[]): void {
    fs.writeFileSync(this.paths.fleet, JSON.stringify({ hosts }, null, 2) + '\n');
  }

  private async ensureKey(): Promise<void> {
    if (fs.existsSync(this.paths.key)) return;
    await runCommand([
      'ssh-keygen',
      '-q',
      '-t',
      'ed25519',
      '-N',
      '',
      '-C',
      'patchwise-lab',
      '-f',
      this.paths.key,
    ]);
    fs.chmodSync(this.paths.key, 0o600);
  }

  /**
   * Rewrites known_hosts from each host's own host key (also right after a restore), under a file lock
   * and by rename, so restores running at once (in this process or another) cannot lose each other's
   * lines; a host whose key cannot be read at the moment keeps its current line.
   */
  private async writeKnownHosts(): Promise<void> {
    const file = this.paths.knownHosts;
    await withFileLock(`${file}.lock`, 'known_hosts', () => {
      const old = fs.existsSync(file) ? fs.readFileSync(file, 'utf8').split('\n') : [];
      const lines = this.hosts().flatMap((h) => {
        const pub = path.join(this.paths.host(h.name).upper, 'etc/ssh/ssh_host_ed25519_key.pub');
        let text: string;
        try {
          text = fs.readFileSync(pub, 'utf8');
        } catch {
          return old.filter((l) => l.startsWith(`${h.address} `));
        }
        const [type, key] = text.trim().split(/\s+/);
        return [`${h.address} ${type} ${key}`];
      });
      const tmp = `${file}.${process.pid}.tmp`;
      fs.writeFileSync(tmp, lines.join('\n') + '\n');
      fs.renameSync(tmp, file);
      return Promise.resolve();
    });
  }

  /** Boots a stopped host and waits until its sshd answers. */
  async start(name: string): Promise<void> {
    const h = this.host(name);
    const p = this.paths.host(name);
    await thawLeftovers(this.paths.stateDir, name);
    if (supervisorPid(p)) return;
    say(`${name}: booting`);
    startSupervisor(this.paths, h, this.lowers(h).join(':'));
    await this.waitReady(h);
  }

  private async waitReady(h: LabHost, notInit?: number): Promise<void> {
    const p = this.paths.host(h.name);
    await waitFor(
      `${h.name} to boot`,
      () => {
        const pid = initPid(p);
        return pid !== undefined && pid !== notInit;
      },
      BOOT_TIMEOUT_MS,
    );
    await waitFor(`sshd on ${h.address}:22`, () => tcpOpen(h.address, 22), BOOT_TIMEOUT_MS);
  }

  /** Shuts a host down cleanly (systemd stops its services); every process of the host ends. */
  async shutdown(name: string): Promise<void> {
    this.host(name);
    say(`${name}: shutting down`);
    // A frozen process handles no signal: thaw what a crashed live snapshot may have left frozen.
    await thawLeftovers(this.paths.stateDir, name);
    await stopSupervisor(this.paths.host(name));
  }

  /** Reboots a host from inside (`systemctl reboot`) and waits until it is back; starts it if stopped. */
  async reboot(name: string): Promise<void> {
    const h = this.host(name);
    const p = this.paths.host(name);
    const old = initPid(p);
    if (!old) return this.start(name);
    say(`${name}: rebooting`);
    await execInHost(p, ['systemctl', 'reboot'], { check: false, timeoutMs: 30_000 });
    await this.waitReady(h, old);
  }

  /** The host's boot time (Unix seconds), or undefined when it is stopped. */
  bootTime(name: string): number | undefined {
    const pid = initPid(this.paths.host(this.host(name).name));
    return pid ? bootTimeOf(pid) : undefined;
  }

  /** Runs `argv` inside a running host (no ssh): for tests and setup. */
  exec(
    name: string,
    argv: readonly string[],
    opts: { input?: string; timeoutMs?: number; check?: boolean } = {},
  ): Promise<CommandResult> {
    return execInHost(this.paths.host(this.host(name).name), argv, opts);
  }

  /** The ssh argv prefix that reaches a host as root with the lab's key and known_hosts. */
  sshArgs(name: string): string[] {
    const h = this.host(name);
    return [
      'ssh',
      '-i',
      this.paths.key,
      '-o',
      `UserKnownHostsFile=${this.paths.knownHosts}`,
      '-o',
      'StrictHostKeyChecking=yes',
      '-o',
      'BatchMode=yes',
      '-o',
      'ConnectTimeout=10',
      `root@${h.address}`,
    ];
  }

  /** Each host's address, state, boot time, pending reboot, snapshots and memory. */
  status(): HostStatus[] {
    return this.hosts().map((h) => {
      const p = this.paths.host(h.name);
      const pid = initPid(p);
      const sup = supervisorPid(p);
      const s: HostStatus = {
        name: h.name,
        address: h.address,
        role: h.role,
        state: pid ? 'running' : sup ? 'booting' : 'stopped',
        rebootRequired: pid ? fs.existsSync(`/proc/${pid}/root/run/reboot-required`) : false,
        snapshots: this.listSnapshots(h.name).map((x) => x.name),
      };
      if (pid) {
        s.bootTime = bootTimeOf(pid);
        s.memoryKiB = pssKiB([pid, ...descendants(pid)]);
      }
      return s;
    });
  }

  /**
   * Snapshots a host's upper layer. Live (the default), a running host is frozen with the cgroup v1
   * freezer while its layer is copied and thawed afterwards: a crash-consistent copy, as a cloud's disk
   * snapshot of a running VM, with no reboot (same boot time, same PIDs). With `live: false` a running
   * host is shut down cleanly first (a consistent disk, as a stopped-VM snapshot) and booted again. A
   * stopped host is copied as it is either way.
   */
  async snapshot(name: string, snap = snapshotName(), opts: { live?: boolean } = {}): Promise<SnapshotInfo> {
    this.host(name);
    const p = this.paths.host(name);
    const dir = this.paths.hostSnapshots(name);
    const sup = supervisorPid(p);
    if (sup === undefined) {
      say(`${name}: snapshot ${snap} (stopped host)`);
      return saveSnapshot(dir, name, snap, p.upper, { live: false });
    }
    if (opts.live ?? true) {
      say(`${name}: live snapshot ${snap}`);
      let saved: SnapshotInfo | undefined;
      try {
        return await withFrozen(this.paths.stateDir, name, sup, async () => {
          saved = await saveSnapshot(dir, name, snap, p.upper, { live: true });
          return saved;
        });
      } catch (e) {
        // A copy made while the freeze did not hold is not a snapshot.
        if (saved) deleteSnapshotDir(snapshotDir(dir, name, snap));
        throw e;
      }
    }
    await this.shutdown(name);
    say(`${name}: snapshot ${snap}`);
    try {
      return await saveSnapshot(dir, name, snap, p.upper, { live: false });
    } finally {
      await this.start(name);
    }
  }

  /** Restores a host's upper layer exactly from a snapshot and boots the host. */
  async restore(name: string, snap: string): Promise<void> {
    this.host(name);
    const dir = snapshotDir(this.paths.hostSnapshots(name), name, snap);
    await this.shutdown(name);
    say(`${name}: restoring ${snap}`);
    await restoreLayer(dir, this.paths.host(name).upper);
    await this.writeKnownHosts();
    await this.start(name);
  }

  /** The host's snapshots, oldest first. */
  listSnapshots(name: string): SnapshotInfo[] {
    return readSnapshots(this.paths.hostSnapshots(name));
  }

  /** Deletes one snapshot of a host. */
  deleteSnapshot(name: string, snap: string): void {
    this.host(name);
    deleteSnapshotDir(snapshotDir(this.paths.hostSnapshots(name), name, snap));
  }

  /**
   * Removes the fleet: stops every host, kills what is left of any lab process (also after a crash),
   * unmounts what the lab mounted, and deletes hosts, snapshots and the generated files. Caches (base,
   * lab repo, key, shared apt downloads) stay.
   */
  async down(): Promise<void> {
    const names = fs.existsSync(this.paths.hosts) ? fs.readdirSync(this.paths.hosts) : [];
    await thawLeftovers(this.paths.stateDir);
    await mapLimit(names, 8, (n) => stopSupervisor(this.paths.host(n), 30_000));
    await cleanupLeftovers(this.paths, names);
    for (const f of [
      this.paths.hosts,
      this.paths.snapshots,
      this.paths.fleet,
      this.paths.knownHosts,
      `${this.paths.knownHosts}.lock`,
      this.paths.config,
    ]) {
      fs.rmSync(f, { recursive: true, force: true });
    }
  }
}

function pssKiB(pids: number[]): number {
  let sum = 0;
  for (const pid of pids) {
    try {
      sum += Number(fs.readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8').match(/^Pss:\s+(\d+)/m)?.[1] ?? 0);
    } catch {
      /* gone */
    }
  }
  return sum;
}
