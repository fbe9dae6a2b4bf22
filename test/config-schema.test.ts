import fs from 'node:fs';
import path from 'node:path';
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormatsModule from 'ajv-formats';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { SCHEMA_FILE, renderConfigJsonSchema } from '../scripts/gen-schema.js';
import { loadConfig } from '../src/adapters/config/load-config.js';
import { starterConfig } from '../src/adapters/config/starter-config.js';
import { runCli, tempDir } from './helpers/cli.js';

describe('JSON Schema of patchwise.yaml', () => {
  it('is up to date (run `npm run schema` after changing the zod definitions)', async () => {
    expect(fs.readFileSync(SCHEMA_FILE, 'utf8')).toBe(await renderConfigJsonSchema());
  });

  it('accepts the starter file and rejects a bad tier, like the loader', () => {
    const addFormats = addFormatsModule as unknown as (a: Ajv2020) => Ajv2020;
    const validate = addFormats(new Ajv2020({ strict: false })).compile(
      JSON.parse(fs.readFileSync(SCHEMA_FILE, 'utf8')),
    );
    expect(validate(parse(starterConfig('x')))).toBe(true);
    expect(validate({ hosts: [{ name: 'a', tier: 5 }] })).toBe(false);
    expect(
      validate({ hosts: [{ name: 'a', connection: { ssh: { host: 'h', port: 22 } } }], windows: [] }),
    ).toBe(true);
    expect(validate({ windows: { any: 1 } })).toBe(false);
  });
});

describe('patchwise init', () => {
  it('writes a commented starter that loads, with a $schema line, and refuses to overwrite without --force', () => {
    const dir = tempDir();
    const env = { PATCHWISE_HOME: path.join(dir, '.pw') };
    const r = runCli(['init'], { cwd: dir, env });
    expect(r.code).toBe(0);
    const text = fs.readFileSync(path.join(dir, 'patchwise.yaml'), 'utf8');
    expect(text.split('\n')[0]).toMatch(/^# yaml-language-server: \$schema=\S+patchwise\.schema\.json$/);
    expect(loadConfig(path.join(dir, 'patchwise.yaml'), dir).config.hosts.map((h) => h.name)).toEqual([
      'this-machine',
    ]);
    const again = runCli(['init'], { cwd: dir, env });
    expect(again.code).toBe(2);
    expect(again.stderr).toContain('--force');
    expect(runCli(['init', '--force'], { cwd: dir, env }).code).toBe(0);
  });
});
