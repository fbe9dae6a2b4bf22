import { OperationalError } from '../../core/errors.js';
import type { Transport } from '../transport/transport.js';
import type { HostOps } from './host-ops.js';

/**
 * The patching operations of a host of `family` over `transport`. Placeholder in this branch: the
 * apt/dnf/apk implementations replace it at merge.
 */
export function hostOpsFor(family: 'debian' | 'rhel' | 'alpine', transport: Transport): HostOps {
  void transport;
  throw new OperationalError('not-implemented', `Patching ${family} hosts is not implemented in this build.`);
}
