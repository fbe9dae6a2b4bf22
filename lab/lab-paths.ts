import path from 'node:path';

/** Where the base tarball is cached, shared by every clone and CI run on the machine. */
export const LAB_CACHE_DIR = process.env.PATCHWISE_LAB_CACHE ?? '/var/cache/patchwise-lab';

/** The lab's runtime state directory: `$PATCHWISE_LAB_DIR`, else /var/lib/patchwise-lab. */
export function defaultStateDir(): string {
  return process.env.PATCHWISE_LAB_DIR ?? '/var/lib/patchwise-lab';
}

/** Every path the lab uses under one state directory. */
export function labPaths(stateDir: string) {
  return {
    stateDir,
    fleet: path.join(stateDir, 'fleet.json'),
    key: path.join(stateDir, 'id_ed25519'),
    knownHosts: path.join(stateDir, 'known_hosts'),
    config: path.join(stateDir, 'patchwise.yaml'),
    repo: path.join(stateDir, 'repo'),
    aptArchives: path.join(stateDir, 'apt-archives'),
    bases: path.join(stateDir, 'base'),
    hosts: path.join(stateDir, 'hosts'),
    snapshots: path.join(stateDir, 'snapshots'),
    host: (name: string) => hostPaths(path.join(stateDir, 'hosts', name)),
    hostSnapshots: (name: string) => path.join(stateDir, 'snapshots', name),
  };
}
export type LabPaths = ReturnType<typeof labPaths>;

/** The files of one host: its overlay layers, its supervisor's pid and its console log. */
export function hostPaths(dir: string) {
  return {
    dir,
    upper: path.join(dir, 'upper'),
    work: path.join(dir, 'work'),
    merged: path.join(dir, 'merged'),
    pid: path.join(dir, 'supervisor.pid'),
    console: path.join(dir, 'console.log'),
    boots: path.join(dir, 'boots.log'),
  };
}
export type HostPaths = ReturnType<typeof hostPaths>;
