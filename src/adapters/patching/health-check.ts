import net from 'node:net';
import { UserError } from '../../core/errors.js';
import type { Service } from '../../core/inventory/host.js';
import type { Transport } from '../transport/transport.js';
import type { HealthResult } from './host-ops.js';

/** How a host runs its services: `systemctl` on Debian and RHEL-likes, OpenRC's `rc-service` on Alpine. */
export type ServiceManager = 'systemd' | 'openrc';

const HTTP_TIMEOUT_MS = 5_000;
const TCP_TIMEOUT_MS = 3_000;
const COMMAND_TIMEOUT_MS = 60_000;
const UNIT_NAME = /^[A-Za-z0-9][A-Za-z0-9:_.@\\-]{0,254}$/;

/** Throws a UserError unless every unit is a plain unit (or OpenRC service) name: never an option. */
export function assertUnitNames(units: readonly string[]): void {
  for (const u of units) {
    if (!UNIT_NAME.test(u)) {
      throw new UserError(
        'bad-unit-name',
        `${JSON.stringify(u)} is not a service unit name, so patchwise will not pass it to the service manager.`,
        'A unit name is letters, digits and : _ . @ \\ -, begun by a letter or digit (e.g. nginx.service).',
      );
    }
  }
}

/** One check's verdict. */
interface Check {
  ok: boolean;
  detail: string;
}

/**
 * Each service's checks once, services in parallel: `unit` is asked of the host's service manager (ok iff
 * `systemctl is-active` prints `active`; on OpenRC iff `rc-service NAME status` exits 0), `http` is
 * fetched and `tcp` connected FROM THIS MACHINE (the controller: what users reach), `command` runs on the
 * host (exit 0 = healthy). A service is ok only when all its checks pass; one with no check is ok. The
 * host's failures to run a command at all (unreachable) are OperationalErrors, as for every HostOps call.
 */
export async function checkServices(
  transport: Transport,
  services: readonly Service[],
  manager: ServiceManager,
): Promise<HealthResult[]> {
  assertUnitNames(services.flatMap((s) => (s.unit === undefined ? [] : [s.unit])));
  return Promise.all(services.map((s) => checkService(transport, s, manager)));
}

async function checkService(
  transport: Transport,
  s: Service,
  manager: ServiceManager,
): Promise<HealthResult> {
  const checks: Promise<Check>[] = [];
  if (s.unit !== undefined) checks.push(checkUnit(transport, s.unit, manager));
  if (s.http !== undefined) checks.push(checkHttp(s.http));
  if (s.tcp !== undefined) checks.push(checkTcp(s.tcp));
  if (s.command !== undefined) checks.push(checkCommand(transport, s.command));
  const done = await Promise.all(checks);
  if (done.length === 0) return { service: s.name, ok: true, detail: 'no check configured' };
  return { service: s.name, ok: done.every((c) => c.ok), detail: done.map((c) => c.detail).join('; ') };
}

async function checkUnit(transport: Transport, unit: string, manager: ServiceManager): Promise<Check> {
  if (manager === 'openrc') {
    const r = await transport.run(['rc-service', unit, 'status'], { timeoutMs: COMMAND_TIMEOUT_MS });
    return {
      ok: r.code === 0,
      detail: `unit ${unit} ${r.code === 0 ? 'started' : `status exit ${r.code ?? 'signal'}`}`,
    };
  }
  const r = await transport.run(['systemctl', 'is-active', '--', unit], { timeoutMs: COMMAND_TIMEOUT_MS });
  const state = r.stdout.trim().split('\n')[0] || `exit ${r.code ?? 'signal'}`;
  return { ok: state === 'active', detail: `unit ${unit} ${state}` };
}

async function checkHttp(url: string): Promise<Check> {
  try {
    const res = await fetch(url, { signal: AbortSignal.timeout(HTTP_TIMEOUT_MS), redirect: 'follow' });
    await res.body?.cancel();
    const ok = res.status >= 200 && res.status < 300;
    return { ok, detail: `http ${res.status} from ${url}` };
  } catch (e) {
    const err = e as Error & { cause?: { code?: string } };
    const why =
      err.name === 'TimeoutError'
        ? `no answer in ${HTTP_TIMEOUT_MS / 1000} s`
        : (err.cause?.code ?? err.message);
    return { ok: false, detail: `http ${why} from ${url}` };
  }
}

function checkTcp(target: string): Promise<Check> {
  const i = target.lastIndexOf(':');
  const host = target.slice(0, i);
  const port = Number(target.slice(i + 1));
  if (!Number.isInteger(port) || port < 1 || port > 65535) {
    return Promise.resolve({ ok: false, detail: `tcp ${target} is not a valid port` });
  }
  return new Promise((resolve) => {
    const socket = net.connect({ host, port });
    const done = (ok: boolean, what: string) => {
      socket.destroy();
      resolve({ ok, detail: `tcp ${target} ${what}` });
    };
    socket.setTimeout(TCP_TIMEOUT_MS, () => done(false, `no answer in ${TCP_TIMEOUT_MS / 1000} s`));
    socket.once('connect', () => done(true, 'connected'));
    socket.once('error', (e: NodeJS.ErrnoException) =>
      done(false, e.code === 'ECONNREFUSED' ? 'refused' : (e.code ?? e.message)),
    );
  });
}

async function checkCommand(transport: Transport, argv: readonly string[]): Promise<Check> {
  const r = await transport.run(argv, { timeoutMs: COMMAND_TIMEOUT_MS });
  return { ok: r.code === 0, detail: `command ${argv[0]} exit ${r.code ?? 'signal'}` };
}
