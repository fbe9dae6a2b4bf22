import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT, tempDir } from './helpers/cli.js';

/** A module-resolution hook that reports every heavy package the CLI loads, one `HEAVY url` line each. */
const HOOK = `export async function resolve(s, c, next) {
  const r = await next(s, c);
  if (/node_modules\\/(kysely|better-sqlite3|zod|luxon|yaml|ajv|rrule-temporal|temporal-polyfill|croner|ical\\.js)\\//.test(r.url)) process.stderr.write('HEAVY ' + r.url + '\\n');
  return r;
}`;
const REGISTER = `import { register } from 'node:module'; register('data:text/javascript,' + encodeURIComponent(${JSON.stringify(HOOK)}));`;

function heavyModules(args: string[]): string[] {
  const r = spawnSync(
    process.execPath,
    [
      '--import',
      `data:text/javascript,${encodeURIComponent(REGISTER)}`,
      path.join(ROOT, 'bin/patchwise.js'),
      ...args,
    ],
    { cwd: ROOT, encoding: 'utf8', env: { ...process.env, CI: '1' } },
  );
  return r.stderr.split('\n').filter((l) => l.startsWith('HEAVY '));
}

describe('CLI start-up (docs/architecture.md#start-up)', () => {
  const light = [
    ['--help'],
    ['versions', '--help'],
    ['plan', '--help'],
    ['assess', '--help'],
    ['hosts', 'add', '--help'],
    ['windows', 'next', '--help'],
    ['windows', 'ics', '--help'],
    ['scheduler', '--help'],
  ];
  it.each(light.map((args) => [args.join(' '), args] as const))(
    '`patchwise %s` loads no database, schema or date library',
    (_name, args) => {
      expect(heavyModules([...args])).toEqual([]);
    },
  );

  it('a command that needs the store loads it (the hook does see heavy modules)', () => {
    expect(heavyModules(['feeds', 'status', '-d', tempDir()]).some((l) => l.includes('kysely'))).toBe(true);
  });
});
