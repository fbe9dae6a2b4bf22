import type { Command } from 'commander';
import type { HostRow } from '../../app/hosts.js';
import type { ImportReport } from '../../app/import-hosts.js';
import type { InventoryInputs } from '../../app/inventory.js';
import type { CliContext } from '../context.js';
import { formatTable, printJson, progress, safeLines } from '../output.js';
import { safeText } from '../safe-text.js';
import { registerTrust } from './hosts-trust.js';

function inputs(ctx: CliContext): InventoryInputs {
  return ctx.inventoryInputs();
}

const collect = (v: string, acc: string[]) => [...acc, v];
const warn = (lines: string[]) => lines.forEach((w) => process.stderr.write(`warning: ${safeText(w)}\n`));

function printRows(rows: HostRow[]): void {
  process.stdout.write(
    formatTable(rows, [
      { header: 'NAME', get: (r) => r.name },
      { header: 'CONNECTION', get: (r) => r.connection, max: 40 },
      { header: 'OS', get: (r) => r.os },
      { header: 'TIER', get: (r) => r.tier },
      { header: 'EXPOSURE', get: (r) => r.exposure },
      { header: 'OWNER', get: (r) => r.owner, max: 24 },
      { header: 'ENV', get: (r) => r.environment },
      { header: 'SOURCE', get: (r) => r.source },
      { header: 'FLAGS', get: (r) => r.flags.join(', ') },
    ]),
  );
  const flagged = rows.filter((r) => r.flags.length).length;
  if (flagged)
    process.stdout.write(
      `\n${flagged} of ${rows.length} hosts lack tier, exposure or owner: they are flagged, not treated as low risk.\n`,
    );
}

/** How many flagged hosts the import report names before it gives a count. */
const FLAGGED_SHOWN = 5;

function printImport(r: ImportReport): void {
  const w = (s: string) => process.stdout.write(safeLines(s) + '\n');
  const verb = r.dryRun ? 'Would import' : 'Imported';
  w(
    `${verb} ${r.added.length + r.updated.length + r.unchanged.length} hosts from ${r.from} (${r.format}): ${r.added.length} added, ${r.updated.length} updated, ${r.unchanged.length} unchanged.`,
  );
  if (r.added.length) w(`  added: ${r.added.join(', ')}`);
  if (r.updated.length) w(`  updated: ${r.updated.join(', ')}`);
  for (const s of r.skipped) w(`  skipped ${s.name}: ${s.reason}`);
  for (const i of r.issues) w(`  note: ${i.subject}${i.line ? ` (line ${i.line})` : ''}: ${i.message}`);
  const rec = r.reconciliation;
  if (rec) {
    w(
      `\nUnmanaged: ${rec.unmanaged.length} VM(s) in ${rec.provider} were not in the inventory${r.dryRun ? '' : ' (now added; classify them)'}.`,
    );
    if (rec.unmanaged.length)
      w(
        formatTable(rec.unmanaged, [
          { header: '  NAME', get: (u) => `  ${u.name}` },
          { header: 'ID', get: (u) => u.id },
          { header: 'ADDRESS', get: (u) => u.address },
          { header: 'CREATED', get: (u) => u.createdAt },
          { header: 'FLAGS', get: (u) => u.gaps.join(', ') },
        ]).trimEnd(),
      );
    w(`Gone: ${rec.gone.length} inventory host(s) linked to ${rec.provider} have no VM any more.`);
    for (const g of rec.gone)
      w(`  ${g.name} (id ${g.id}, from ${g.source}); remove with: patchwise hosts remove ${g.name}`);
  }
  if (r.flagged.length) {
    const first = r.flagged.slice(0, FLAGGED_SHOWN);
    const more = r.flagged.length - first.length;
    w(
      `\nFlagged: ${r.flagged.length} host(s) lack tier, exposure or owner: ${first.map((f) => `${f.name} (${f.gaps.join(', ')})`).join('; ')}${more ? `; and ${more} more (patchwise hosts list --flagged)` : ''}`,
    );
  }
}

function registerList(hosts: Command, ctx: CliContext): void {
  hosts
    .command('list')
    .description(
      'list the inventory: configuration hosts and stored hosts, with flags for missing classification',
    )
    .option('--json', 'print records as JSON')
    .option('--flagged', 'only hosts lacking tier, exposure or owner')
    .action(async (o: { json?: boolean; flagged?: boolean }) => {
      const { listHosts } = await import('../../app/hosts.js');
      const { rows, warnings } = await listHosts(inputs(ctx));
      warn(warnings);
      const shown = o.flagged ? rows.filter((r) => r.flags.length) : rows;
      if (o.json) printJson(shown.map((r) => ({ ...r.host, os: r.os, source: r.source, flags: r.flags })));
      else printRows(shown);
    });
}

function registerAdd(hosts: Command, ctx: CliContext): void {
  hosts
    .command('add <name>')
    .description('add a host to the inventory (stored in the data directory)')
    .option('--tier <n>', '1 production/critical, 2 important, 3 internal/dev, 4 archived')
    .option('--exposure <e>', 'internet, internal or isolated')
    .option('--owner <o>', 'person or team answerable for the host')
    .option('--env <env>', 'environment: production, staging, development, ...')
    .option('--ssh <target>', 'USER@ADDRESS[:PORT] (an ~/.ssh/config alias works as ADDRESS)')
    .option('--jump <j>', 'bastion for ProxyJump: [USER@]HOST[:PORT]')
    .option('--local', 'the machine patchwise runs on')
    .option('--tag <k=v>', 'tag, repeatable', collect, [])
    .option(
      '--service <name=check>',
      'health check, repeatable: URL, HOST:PORT or a systemd unit',
      collect,
      [],
    )
    .option('--json', 'print the stored record as JSON')
    .addHelpText(
      'after',
      `
Examples:
  patchwise hosts add web-1 --tier 1 --exposure internet --owner team-web --ssh root@203.0.113.10
  patchwise hosts add db-1 --tier 1 --exposure internal --owner dba --ssh admin@10.0.0.5:2222 \\
      --jump ops@bastion.example.com --service postgres=10.0.0.5:5432 --tag role=db
  patchwise hosts add laptop --tier 3 --exposure internal --owner me --local
A host without --tier, --exposure or --owner is added but flagged in every list and report.`,
    )
    .action(async (name: string, o: Record<string, unknown>) => {
      const { addHost } = await import('../../app/hosts.js');
      const r = await addHost(
        inputs(ctx),
        { name, ...o, tags: o.tag as string[], services: o.service as string[] },
        new Date().toISOString(),
      );
      if (o.json) printJson(r.host);
      else
        process.stdout.write(
          `added ${safeText(r.host.name)}${r.gaps.length ? ` (flagged: ${r.gaps.join(', ')})` : ''}\n`,
        );
    });
}

function registerRemove(hosts: Command, ctx: CliContext): void {
  hosts
    .command('remove <name>')
    .description('remove a stored host (hosts written in patchwise.yaml are removed there)')
    .option('--json', 'print the result as JSON')
    .action(async (name: string, o: { json?: boolean }) => {
      const { removeHost } = await import('../../app/hosts.js');
      const r = await removeHost(inputs(ctx), name);
      if (o.json) printJson(r);
      else
        process.stdout.write(
          `removed ${safeText(name)}${r.stillInConfig ? ` from the store; it is still defined in ${r.stillInConfig}` : ''}\n`,
        );
    });
}

function registerImport(hosts: Command, ctx: CliContext): void {
  hosts
    .command('import [file]')
    .description(
      'import hosts from an Ansible inventory, `terraform show -json` output, or a cloud (--from raff)',
    )
    .option(
      '--from <provider>',
      'discover VMs through a provider API: raff, or the name of a kind: raff provider',
    )
    .option(
      '--project <id>',
      "Raff project UUID (default: the provider's projectId, else every project the key reaches)",
    )
    .option('--dry-run', 'show what would change; write nothing')
    .option(
      '--replace',
      'replace stored hosts of the same name whose address, provider, tier, exposure, owner or environment differ',
    )
    .option('--json', 'print the report as JSON')
    .addHelpText(
      'after',
      `
The import is one transaction: interrupted, it leaves the store as it was. A host name that is not valid
(a letter or digit, then letters, digits, . - _; at most 63) is skipped with a note, never rewritten;
so is a host whose address, user, port, jump host or identity file could be read by ssh as an option.
A stored host of the same name with a different address or classification is kept unless --replace.
Limits (exit 2 past them, nothing stored):
  PATCHWISE_LIMIT_HOST_EXPANSION    hosts one Ansible host pattern expands to   (default 10000)
  PATCHWISE_LIMIT_HOSTS_PER_IMPORT  hosts one import reads                      (default 100000)
  PATCHWISE_LIMIT_YAML_ALIASES      YAML aliases one file resolves              (default 1000)

Formats are detected by content: Ansible INI or YAML inventories (groups, ansible_host, ansible_user,
ansible_port, patchwise_tier/exposure/owner vars, groups named tier_1, internet, owner_alice), and the JSON
of \`terraform show -json\` (raff_vm, aws_instance, google_compute_instance, azurerm_linux_virtual_machine,
digitalocean_droplet, hcloud_server; tags tier, exposure, owner, environment).

Raff: the API key is read from $RAFF_API_KEY (or the provider's apiKeyEnv / apiKeyFile), never from the
command line. VM tags such as tier-1, internet, owner-alice, env-prod classify the hosts. After the import,
VMs the inventory lacked are reported as unmanaged and linked hosts whose VM is gone are reported too.

Examples:
  patchwise hosts import inventory.ini
  terraform show -json > state.json && patchwise hosts import state.json
  RAFF_API_KEY=... patchwise hosts import --from raff --project 3f1c...-... --dry-run`,
    )
    .action(
      async (
        file: string | undefined,
        o: { from?: string; project?: string; dryRun?: boolean; replace?: boolean; json?: boolean },
      ) => {
        const { importHosts } = await import('../../app/import-hosts.js');
        const bar = progress('Listing VMs');
        const report = await importHosts(inputs(ctx), {
          file,
          from: o.from,
          project: o.project,
          dryRun: Boolean(o.dryRun),
          replace: Boolean(o.replace),
          now: new Date().toISOString(),
          env: ctx.env,
          onPage: (got, total) => bar.update(got, total),
          client: {
            onWait: ({ reason, ms, attempt }) =>
              process.stderr.write(
                `raff: ${reason}; retrying in ${(ms / 1000).toFixed(1)}s (attempt ${attempt})\n`,
              ),
          },
        }).finally(() => bar.done());
        if (o.json) printJson(report);
        else printImport(report);
      },
    );
}

/** Registers `patchwise hosts`. */
export function register(program: Command, ctx: CliContext): void {
  const hosts = program
    .command('hosts')
    .description('the inventory: list, add, remove and import hosts')
    .addHelpText(
      'after',
      `
Hosts live in patchwise.yaml (and files it includes) and in the store (added or imported here).
When both have a name, the configuration wins. Every host needs a tier (1-4), an exposure (internet,
internal, isolated) and an owner; hosts lacking one are flagged, never defaulted to low risk.
See docs/inventory.md.`,
    );
  registerList(hosts, ctx);
  registerAdd(hosts, ctx);
  registerRemove(hosts, ctx);
  registerImport(hosts, ctx);
  registerTrust(hosts, ctx);
}
