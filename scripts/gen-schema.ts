/**
 * Writes schema/patchwise.schema.json from the zod definitions in src/core/config/config-schema.ts.
 * Run with `npm run schema`; test/config-schema.test.ts fails when the committed file is out of date.
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import prettier from 'prettier';
import { configJsonSchema } from '../src/core/config/config-schema.js';

/** Where the generated schema lives. */
export const SCHEMA_FILE = path.resolve(
  path.dirname(fileURLToPath(import.meta.url)),
  '../schema/patchwise.schema.json',
);

/** The schema file's exact text, laid out as prettier lays out JSON so `prettier --check` agrees. */
export async function renderConfigJsonSchema(): Promise<string> {
  const options = (await prettier.resolveConfig(SCHEMA_FILE)) ?? {};
  return prettier.format(JSON.stringify(configJsonSchema(), null, 2), { ...options, parser: 'json' });
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  fs.mkdirSync(path.dirname(SCHEMA_FILE), { recursive: true });
  fs.writeFileSync(SCHEMA_FILE, await renderConfigJsonSchema());
  process.stdout.write(`wrote ${path.relative(process.cwd(), SCHEMA_FILE)}\n`);
}
