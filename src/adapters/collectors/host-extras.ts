import { randomBytes } from 'node:crypto';
import { OperationalError } from '../../core/errors.js';
import type { BootInfoOptions } from '../../core/inventory/parse-boot-info.js';
import { parseHostExtras, type HostExtras } from '../../core/inventory/parse-host-extras.js';
import type { Transport } from '../transport/transport.js';
import { HOST_EXTRAS_SCRIPT } from './host-extras-script.js';

/**
 * Collects kernel, boot time, uptime, pending reboot, stale processes (the restart list) and listening
 * sockets in ONE round trip: the fixed {@link HOST_EXTRAS_SCRIPT} goes to `sh -s` on standard input, with
 * a fresh random section marker as its only argument. Parse problems are issues; a host whose shell
 * cannot run at all is an OperationalError.
 */
export async function collectHostExtras(
  transport: Transport,
  opts: BootInfoOptions & { timeoutMs?: number } = {},
): Promise<HostExtras> {
  const marker = `@@pw-${randomBytes(8).toString('hex')}@@`;
  const r = await transport.run(['sh', '-s', '--', marker], {
    input: HOST_EXTRAS_SCRIPT,
    ...(opts.timeoutMs ? { timeoutMs: opts.timeoutMs } : {}),
  });
  if (r.code !== 0 && !r.stdout.includes(marker)) {
    throw new OperationalError(
      'scan-extras',
      `${transport.name}: the host probe failed (exit ${r.code ?? 'signal'}): ${r.stderr.trim().slice(0, 200)}`,
    );
  }
  return parseHostExtras(r.stdout, marker, opts);
}
