import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { ROOT, tempDir } from './helpers/cli.js';

// How the built CLI reaches lab/lab.ts (TypeScript, not built): through tsx, from the checkout (`npm run build` first).
const PROVIDER = 'adapters/providers/lab-provider.js';

/** A copy of the provider's compiled module in a tree like an installed package's (dist/ only). */
function installedCopy(withLab: boolean): string {
  const dir = tempDir();
  for (const f of [PROVIDER, 'core/errors.js']) {
    fs.mkdirSync(path.dirname(path.join(dir, 'dist', f)), { recursive: true });
    fs.copyFileSync(path.join(ROOT, 'dist', f), path.join(dir, 'dist', f));
  }
  fs.writeFileSync(path.join(dir, 'package.json'), '{ "type": "module" }\n');
  if (withLab) {
    fs.mkdirSync(path.join(dir, 'lab'));
    fs.writeFileSync(path.join(dir, 'lab', 'lab.ts'), 'export {};\n');
  }
  return path.join(dir, 'dist', PROVIDER);
}

/** Runs `list` (then `restore`) of the compiled provider at `file` in plain node: what the built CLI does. */
function listWithNode(file: string): { code: number | null; stdout: string; stderr: string } {
  const script = `
    const { LabRestorePoints } = await import(${JSON.stringify(pathToFileURL(file).href)});
    const p = new LabRestorePoints({ stateDir: '/nonexistent/patchwise-lab' });
    try {
      console.log(JSON.stringify(await p.list('lab-1')));
      await p.restore('lab-1', 'patchwise-x');
    } catch (e) { console.log(e.name, e.code, e.message); }`;
  const r = spawnSync(process.execPath, ['--input-type=module', '-e', script], {
    encoding: 'utf8',
    cwd: path.dirname(file),
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('the lab restore point provider from dist', () => {
  it('loads lab/lab.ts through tsx in a checkout (plain node, no tsx loader)', () => {
    const r = listWithNode(path.join(ROOT, 'dist', PROVIDER));
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^\[\]\nOperationalError lab-restore-point-missing /);
  });

  it('says a source checkout is needed when lab/ is not there (an installed package)', () => {
    const r = listWithNode(installedCopy(false));
    expect(r.stdout).toMatch(/^OperationalError lab-provider-unavailable .*lab\/lab\.ts does not exist/);
  });

  it('says so too when tsx (a dev dependency) cannot be loaded', () => {
    const r = listWithNode(installedCopy(true));
    expect(r.stdout).toMatch(/^OperationalError lab-provider-unavailable .*tsx \(a dev dependency\)/);
  });
});
