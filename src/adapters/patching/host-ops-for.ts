import type { Transport } from '../transport/transport.js';
import { ApkOps } from './apk-ops.js';
import { AptOps } from './apt-ops.js';
import { DnfOps } from './dnf-ops.js';
import type { HostOps } from './host-ops.js';

/** The patching operations of a host of `family`, through `transport`. */
export function hostOpsFor(family: 'debian' | 'rhel' | 'alpine', transport: Transport): HostOps {
  switch (family) {
    case 'debian':
      return new AptOps(transport);
    case 'rhel':
      return new DnfOps(transport);
    case 'alpine':
      return new ApkOps(transport);
  }
}
