import fs from 'node:fs';
import path from 'node:path';
import { openStore, type Store } from '../../src/adapters/store/open-store.js';
import { importFeeds } from '../../src/app/feeds.js';
import { scanFromStatus } from '../../src/app/scan.js';
import { FIXTURES, SNAPSHOT, tempDir } from './cli.js';

/** A working directory with a patchwise.yaml (`yaml`), its store opened, and the inputs app calls take. */
export async function notifyDir(yaml: string, env: Record<string, string> = {}) {
  const dir = tempDir('patchwise-notify-');
  const configPath = path.join(dir, 'patchwise.yaml');
  fs.writeFileSync(configPath, yaml);
  const store: Store = await openStore(path.join(dir, '.patchwise'));
  const inputs = {
    configPath,
    configExplicit: true,
    openStore: () => Promise.resolve(store),
    cwd: dir,
    env,
    dataDir: path.join(dir, '.patchwise'),
  };
  return { dir, store, inputs };
}

/** The hosts of the decide fixtures: web-1 (tier 1, internet: its KEV finding is an emergency) and build-1. */
export const FLEET_YAML = `policy:
  timeZone: Europe/Berlin
hosts:
  - name: web-1
    tier: 1
    exposure: internet
    environment: production
    owner: alice
    tags: { role: web }
    services:
      - { name: nginx, unit: nginx.service }
  - name: build-1
`;

/** Imports the offline snapshot and scans web-1 and build-1 from the decide fixture's status file. */
export async function fillFleet(store: Store, now: Date): Promise<void> {
  await importFeeds(store, [SNAPSHOT]);
  const file = path.join(FIXTURES, 'decide/web-status');
  for (const name of ['web-1', 'build-1']) await scanFromStatus(store, { file, os: 'debian:12', name, now });
}
