import fs from 'node:fs';
import path from 'node:path';
import type {
  ApplyResult,
  CommandOutput,
  HostOps,
  PackageTarget,
  PrecheckResult,
} from '../../src/adapters/patching/host-ops.js';
import type { RestorePointInfo, RestorePointProvider } from '../../src/adapters/providers/restore-point.js';
import { OperationalError } from '../../src/core/errors.js';
import type { Service } from '../../src/core/inventory/host.js';

/**
 * One fake host, a JSON file, so a controller process can be killed and another resume against the
 * same hosts. Every install is appended to `history` (the fake apt history).
 */
export interface FakeHost {
  installed: Record<string, string>;
  candidates: Record<string, string>;
  bootTime: string;
  reboots: number;
  rebootPending: boolean;
  /** installing one of these leaves a reboot pending (a kernel) */
  kernel: string[];
  /** installing anything puts these units on the restart list */
  restartOnApply: string[];
  restartList: string[];
  restarted: string[];
  /** a service is unhealthy while `name` is installed at `version` */
  breaks: Record<string, string>;
  /** restore points cannot be made */
  snapshotFails: boolean;
  snapshots: Record<string, Record<string, string>>;
  history: { name: string; version: string }[];
}

export const fakeHost = (over: Partial<FakeHost> = {}): FakeHost => ({
  installed: { openssl: '3.0.1-1' },
  candidates: { openssl: '3.0.2-1' },
  bootTime: '2026-12-01T00:00:00Z',
  reboots: 0,
  rebootPending: false,
  kernel: [],
  restartOnApply: [],
  restartList: [],
  restarted: [],
  breaks: {},
  snapshotFails: false,
  snapshots: {},
  history: [],
  ...over,
});

/** The fake fleet in directory `dir`: one `NAME.json` per host. */
export class FakeFleet {
  constructor(readonly dir: string) {}
  file = (name: string) => path.join(this.dir, `${name}.json`);
  write(name: string, h: FakeHost): void {
    const tmp = `${this.file(name)}.tmp`;
    fs.writeFileSync(tmp, JSON.stringify(h));
    fs.renameSync(tmp, this.file(name));
  }
  read(name: string): FakeHost {
    return JSON.parse(fs.readFileSync(this.file(name), 'utf8')) as FakeHost;
  }
  update(name: string, f: (h: FakeHost) => void): FakeHost {
    const h = this.read(name);
    f(h);
    this.write(name, h);
    return h;
  }
  ops(name: string): HostOps {
    return new FakeOps(this, name);
  }
  provider(): RestorePointProvider {
    return new FakeProvider(this);
  }
}

const cmd = (argv: string[], stdout = '', code = 0): CommandOutput => ({ argv, code, stdout, stderr: '' });
let bootSeq = 0;

class FakeOps implements HostOps {
  readonly family = 'debian' as const;
  constructor(
    private readonly fleet: FakeFleet,
    private readonly name: string,
  ) {}
  private get h() {
    return this.fleet.read(this.name);
  }
  precheck(): Promise<PrecheckResult> {
    const h = this.h;
    return Promise.resolve({
      problems: [],
      freeMiB: 5000,
      rebootPending: h.rebootPending,
      bootTime: h.bootTime,
    });
  }
  simulate(targets: readonly PackageTarget[]): Promise<ApplyResult> {
    const lines = targets.map((t) => `Inst ${t.name} [${this.h.installed[t.name]}] (${t.version})`);
    return Promise.resolve({
      ok: true,
      commands: [cmd(['apt-get', '-s', 'install'], lines.join('\n'))],
      installed: {},
    });
  }
  apply(targets: readonly PackageTarget[]): Promise<ApplyResult> {
    const h = this.fleet.update(this.name, (h) => {
      for (const t of targets) {
        h.installed[t.name] = t.version;
        h.history.push({ name: t.name, version: t.version });
        if (h.kernel.includes(t.name)) h.rebootPending = true;
      }
      h.restartList = [...new Set([...h.restartList, ...h.restartOnApply])];
    });
    const installed = Object.fromEntries(targets.map((t) => [t.name, h.installed[t.name]]));
    return Promise.resolve({
      ok: true,
      commands: [cmd(['apt-get', 'install', ...targets.map((t) => `${t.name}=${t.version}`)])],
      installed,
    });
  }
  candidateVersions(names: readonly string[]) {
    const h = this.h;
    return Promise.resolve(Object.fromEntries(names.map((n) => [n, h.candidates[n]])));
  }
  availableVersions(names: readonly string[]) {
    const h = this.h;
    return Promise.resolve(
      Object.fromEntries(names.map((n) => [n, h.candidates[n] === undefined ? [] : [h.candidates[n]!]])),
    );
  }
  installedVersions(names: readonly string[]) {
    const h = this.h;
    return Promise.resolve(Object.fromEntries(names.map((n) => [n, h.installed[n]])));
  }
  examineApply(names: readonly string[]) {
    const h = this.h;
    return Promise.resolve({
      consistent: true,
      installed: Object.fromEntries(names.map((n) => [n, h.installed[n]])),
      detail: 'dpkg --audit: nothing',
    });
  }
  repair() {
    return Promise.resolve(cmd(['dpkg', '--configure', '-a']));
  }
  rebootPending() {
    const p = this.h.rebootPending;
    return Promise.resolve({ pending: p, why: p ? ['/run/reboot-required'] : [] });
  }
  bootTime() {
    return Promise.resolve(this.h.bootTime);
  }
  reboot() {
    this.fleet.update(this.name, (h) => {
      h.reboots++;
      h.bootTime = new Date(
        Date.parse('2026-12-02T00:00:00Z') + ++bootSeq * 1000 + h.reboots * 60_000,
      ).toISOString();
      h.rebootPending = false;
      h.restartList = [];
    });
    return Promise.resolve();
  }
  restartList() {
    return Promise.resolve({ units: this.h.restartList, other: [] });
  }
  restartUnits(units: readonly string[]) {
    this.fleet.update(this.name, (h) => {
      h.restarted.push(...units);
      h.restartList = h.restartList.filter((u) => !units.includes(u));
    });
    return Promise.resolve(cmd(['systemctl', 'restart', ...units]));
  }
  health(services: readonly Service[]) {
    const h = this.h;
    const broken = Object.entries(h.breaks).some(([n, v]) => h.installed[n] === v);
    return Promise.resolve(
      services.map((s) => ({ service: s.name, ok: !broken, detail: broken ? 'http 503' : 'http 200' })),
    );
  }
  hook(argv: readonly string[]) {
    return Promise.resolve(cmd([...argv]));
  }
}

class FakeProvider implements RestorePointProvider {
  readonly kind = 'fake';
  constructor(private readonly fleet: FakeFleet) {}
  create(id: string, name: string): Promise<RestorePointInfo> {
    const h = this.fleet.read(id);
    if (h.snapshotFails)
      return Promise.reject(new OperationalError('fake-snapshot', 'the provider refused the snapshot'));
    this.fleet.update(id, (x) => {
      x.snapshots[name] ??= { ...x.installed };
    });
    return Promise.resolve({ name, id: name, status: 'ready' });
  }
  find(id: string, name: string) {
    const h = this.fleet.read(id);
    return Promise.resolve(h.snapshots[name] ? ({ name, id: name, status: 'ready' } as const) : undefined);
  }
  restore(id: string, name: string) {
    this.fleet.update(id, (h) => {
      h.installed = { ...h.snapshots[name]! };
      h.reboots++;
      h.bootTime = new Date(Date.parse('2026-12-03T00:00:00Z') + ++bootSeq * 1000).toISOString();
      h.rebootPending = false;
      h.restartList = [];
    });
    return Promise.resolve();
  }
  delete() {
    return Promise.resolve();
  }
  list() {
    return Promise.resolve([]);
  }
}
