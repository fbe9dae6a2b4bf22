import fs from 'node:fs';
import path from 'node:path';
import { ROOT, runCli, tempDir } from './helpers/cli.js';

/** A working directory with feeds imported, a patchwise.yaml, and two scanned hosts (web-1 has a KEV finding). */
export function decideFleetDir(extraYaml = ''): {
  dir: string;
  cli: (...args: string[]) => ReturnType<typeof runCli>;
} {
  const dir = tempDir('patchwise-decide-');
  fs.writeFileSync(
    path.join(dir, 'patchwise.yaml'),
    `policy:
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
${extraYaml}`,
  );
  const cli = (...args: string[]) => runCli(args, { cwd: dir });
  const status = path.join(ROOT, 'test/fixtures/decide/web-status');
  for (const args of [
    ['feeds', 'import', path.join(ROOT, 'feeds/snapshot')],
    ['scan', '--from-status', status, '--os', 'debian:12', '--name', 'web-1'],
    ['scan', '--from-status', status, '--os', 'debian:12', '--name', 'build-1'],
  ]) {
    const r = cli(...args);
    if (r.code !== 0) throw new Error(`${args.join(' ')} failed: ${r.stderr}`);
  }
  return { dir, cli };
}
