import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Command } from 'commander';
import { UserError } from '../../core/errors.js';
import type { CliContext } from '../context.js';

/** The generated JSON Schema shipped with patchwise (same depth from src/ and dist/). */
const SCHEMA_FILE = fileURLToPath(new URL('../../../schema/patchwise.schema.json', import.meta.url));

/** The `$schema` reference for the starter file: relative to it when possible, so the project can move. */
function schemaRef(configPath: string): string {
  const rel = path.relative(path.dirname(configPath), SCHEMA_FILE).split(path.sep).join('/');
  if (rel.startsWith('../')) return SCHEMA_FILE;
  return rel.startsWith('.') ? rel : `./${rel}`;
}

/** Registers `patchwise init`. */
export function register(program: Command, ctx: CliContext): void {
  program
    .command('init')
    .description('write a commented starter patchwise.yaml')
    .option('--force', 'overwrite an existing file')
    .addHelpText(
      'after',
      `
Writes ./patchwise.yaml (or the file --config names) with one local host and commented examples of
SSH hosts, providers (raff, command), includes and services. Editors with the YAML language server
complete and check it through the $schema line at the top.

Examples:
  patchwise init && patchwise hosts list
  patchwise --config ops/patchwise.yaml init --force`,
    )
    .action(async (o: { force?: boolean }) => {
      const file = ctx.configPath;
      if (fs.existsSync(file) && !o.force)
        throw new UserError(
          'config-exists',
          `${file} already exists.`,
          'Pass --force to overwrite it, or --config OTHER.yaml to write elsewhere.',
        );
      const { starterConfig } = await import('../../adapters/config/starter-config.js');
      fs.mkdirSync(path.dirname(file), { recursive: true });
      fs.writeFileSync(file, starterConfig(schemaRef(file)));
      process.stdout.write(
        `wrote ${path.relative(ctx.cwd, file) || file}\nnext: edit it, then run: patchwise hosts list\n`,
      );
    });
}
