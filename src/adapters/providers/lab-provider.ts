import { OperationalError } from '../../core/errors.js';
import type { RestorePointInfo, RestorePointProvider } from './restore-point.js';

/** Restore points of the lab's hosts (`kind: lab`): live snapshots of a host's own layer. */
export class LabRestorePoints implements RestorePointProvider {
  readonly kind = 'lab';
  constructor(readonly config: { stateDir: string }) {}
  create(): Promise<RestorePointInfo> {
    return Promise.reject(new OperationalError('lab-provider', 'The lab provider is being built.'));
  }
  find(): Promise<RestorePointInfo | undefined> {
    return Promise.reject(new OperationalError('lab-provider', 'The lab provider is being built.'));
  }
  restore(): Promise<void> {
    return Promise.reject(new OperationalError('lab-provider', 'The lab provider is being built.'));
  }
  delete(): Promise<void> {
    return Promise.reject(new OperationalError('lab-provider', 'The lab provider is being built.'));
  }
  list(): Promise<RestorePointInfo[]> {
    return Promise.reject(new OperationalError('lab-provider', 'The lab provider is being built.'));
  }
}
