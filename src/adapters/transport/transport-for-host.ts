import path from 'node:path';
import type { Host } from '../../core/inventory/host.js';
import { LocalTransport } from './local-transport.js';
import { defaultControlDir, SshTransport, type SshSettings } from './ssh-transport.js';
import type { Transport } from './transport.js';

/** The `ssh:` block of patchwise.yaml: what every host shares unless its connection says otherwise. */
export interface SshDefaults {
  identityFile?: string;
  knownHosts?: string;
  user?: string;
  connectTimeoutSeconds?: number;
}

/** The known_hosts file patchwise pins keys in: the configured one, else `<data dir>/known_hosts`. */
export function knownHostsPath(dataDir: string, defaults: SshDefaults = {}): string {
  return defaults.knownHosts ? path.resolve(defaults.knownHosts) : path.join(dataDir, 'known_hosts');
}

/** ssh settings for a data directory: its known_hosts and a short ControlMaster directory. */
export function sshSettingsFor(
  dataDir: string,
  defaults: SshDefaults = {},
  extra: Partial<SshSettings> = {},
): SshSettings {
  const s: SshSettings = {
    knownHostsFile: knownHostsPath(dataDir, defaults),
    controlDir: defaultControlDir(dataDir),
    ...extra,
  };
  if (defaults.connectTimeoutSeconds !== undefined && extra.connectTimeoutSec === undefined) {
    s.connectTimeoutSec = defaults.connectTimeoutSeconds;
  }
  return s;
}

/**
 * A factory that opens the transport a host's connection names: `ssh` through the system client (the
 * configured user and identity file filling in what the host leaves out), `local` for this machine;
 * undefined when the host has no connection (it is then skipped).
 */
export function transportFactory(
  dataDir: string,
  defaults: SshDefaults = {},
  extra: Partial<SshSettings> = {},
): (host: Pick<Host, 'connection'>) => Transport | undefined {
  const settings = sshSettingsFor(dataDir, defaults, extra);
  return (host) => {
    const c = host.connection;
    if (!c) return undefined;
    if ('local' in c) return new LocalTransport();
    const target = { ...c.ssh };
    if (target.user === undefined && defaults.user) target.user = defaults.user;
    if (target.identityFile === undefined && defaults.identityFile)
      target.identityFile = defaults.identityFile;
    return new SshTransport(target, settings);
  };
}
