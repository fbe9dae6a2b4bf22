import fs from 'node:fs';
import path from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../src/adapters/config/load-config.js';
import { starterConfig } from '../src/adapters/config/starter-config.js';
import { parseInventoryFile } from '../src/app/import-hosts.js';
import { UserError } from '../src/core/errors.js';
import { HostSchema } from '../src/core/inventory/host.js';
import type { Limits } from '../src/core/limits/limits.js';
import { FIXTURES, tempDir } from './helpers/cli.js';

/** Small limits keep every run fast; past them the answer must still be a UserError. */
const LIMITS: Limits = { hostExpansion: 500, hostsPerImport: 1000, yamlAliases: 50 };
const RUNS = Number(process.env.FUZZ_RUNS ?? 300);

const seed = (name: string) => fs.readFileSync(path.join(FIXTURES, 'inventory', name), 'utf8');
const SEEDS = {
  ini: seed('ansible.ini'),
  yml: seed('ansible.yml'),
  tf: seed('terraform-show.json'),
  config: [
    starterConfig('./schema/patchwise.schema.json'),
    'include: [hosts/*.yaml]\nssh: { user: ops }\nhosts:\n  - { name: a, connection: { ssh: { host: 127.0.0.1, port: 22 } }, tier: 1 }\n',
  ].join('\n'),
};

/** Text edits a hostile or careless hand makes: cut, insert, repeat a line, splice in odd tokens. */
const TOKENS = [
  '[0:99]',
  '[a:z]',
  '&a [1,2]',
  '*a',
  '{',
  '}',
  '"',
  "'",
  ':',
  '\n  ',
  '-oProxyCommand=x',
  '\u0000',
  '\u001b[31m',
  'ansible_host=',
  'tier: "9"',
  '<<: *a',
  '[x:children]',
  '\t',
  '..',
  '!!binary',
];
function mutated(text: string): fc.Arbitrary<string> {
  const edit = fc.oneof(
    fc.tuple(fc.constant('cut'), fc.nat(), fc.nat(200)),
    fc.tuple(fc.constant('insert'), fc.nat(), fc.oneof(fc.constantFrom(...TOKENS), fc.string())),
    fc.tuple(fc.constant('repeat'), fc.nat(), fc.integer({ min: 1, max: 5 })),
  );
  return fc.array(edit, { minLength: 1, maxLength: 8 }).map((edits) => {
    let s = text;
    for (const [kind, at, arg] of edits) {
      const i = at % (s.length + 1);
      if (kind === 'cut') s = s.slice(0, i) + s.slice(i + (arg as number));
      else if (kind === 'insert') s = s.slice(0, i) + String(arg) + s.slice(i);
      else {
        const lines = s.split('\n');
        const j = at % lines.length;
        lines.splice(j, 0, ...Array<string>(arg as number).fill(lines[j]!));
        s = lines.join('\n');
      }
    }
    return s;
  });
}

/** A Terraform state with arbitrary JSON where resources, values and tags go. */
const terraformShaped = fc
  .tuple(
    fc.array(fc.tuple(fc.constantFrom('aws_instance', 'raff_vm', 'hcloud_server', 'x'), fc.jsonValue())),
    fc.jsonValue(),
  )
  .map(([rs, junk]) =>
    JSON.stringify({
      values: {
        root_module: {
          resources: rs.map(([type, values], i) => ({
            address: `${type}.r${i}`,
            type,
            name: `r${i}`,
            values,
          })),
          child_modules: [junk],
        },
      },
    }),
  );

const anyInventory = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 400 }),
  mutated(SEEDS.ini),
  mutated(SEEDS.yml),
  mutated(SEEDS.tf),
  terraformShaped,
  fc.jsonValue().map((v) => JSON.stringify(v)),
);

/** The outcome every input must have: a result of valid hosts, or a UserError naming the input. */
function expectCleanOutcome(run: () => { hosts?: unknown[] } | unknown, name: string): void {
  let out: unknown;
  try {
    out = run();
  } catch (e) {
    if (!(e instanceof UserError)) throw e;
    expect(e.message).toContain(name);
    return;
  }
  for (const h of (out as { hosts?: unknown[] }).hosts ?? [])
    expect(HostSchema.safeParse(h).success).toBe(true);
}

describe('fuzz: inventory importers and the config loader', () => {
  const dir = tempDir();

  it('Ansible INI/YAML and Terraform JSON imports never crash: hosts, or exit 2 naming the file', () => {
    const file = path.join(dir, 'fuzzed-inventory');
    fc.assert(
      fc.property(anyInventory, (text) => {
        fs.writeFileSync(file, text);
        expectCleanOutcome(() => parseInventoryFile(file, LIMITS), 'fuzzed-inventory');
      }),
      { numRuns: RUNS },
    );
  });

  it('the config loader never crashes: a config, or exit 2 naming the file', () => {
    fs.mkdirSync(path.join(dir, 'hosts'), { recursive: true });
    fs.writeFileSync(
      path.join(dir, 'hosts', 'a.yaml'),
      'hosts: [{ name: inc, connection: { local: true } }]\n',
    );
    const file = path.join(dir, 'fuzzed.yaml');
    fc.assert(
      fc.property(fc.oneof(mutated(SEEDS.config), fc.string({ unit: 'binary', maxLength: 300 })), (text) => {
        fs.writeFileSync(file, text);
        expectCleanOutcome(
          () => loadConfig(file, dir, { maxAliases: LIMITS.yamlAliases }).config,
          'fuzzed.yaml',
        );
      }),
      { numRuns: RUNS },
    );
  });
});
