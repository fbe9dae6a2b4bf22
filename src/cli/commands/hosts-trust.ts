import type { Command } from 'commander';
import type { TrustResult } from '../../app/trust-hosts.js';
import type { SshDefaults } from '../../adapters/transport/transport-for-host.js';
import { UserError } from '../../core/errors.js';
import type { Host } from '../../core/inventory/host.js';
import type { CliContext } from '../context.js';
import { EXIT } from '../exit-codes.js';
import { printJson } from '../output.js';
import { safeText } from '../safe-text.js';

interface TrustOptions {
  all?: boolean;
  replace?: boolean;
  json?: boolean;
}

/** Registers `patchwise hosts trust HOST...|--all` under the `hosts` command. */
export function registerTrust(hosts: Command, ctx: CliContext): void {
  hosts
    .command('trust')
    .description("Fetch hosts' SSH host keys, show their fingerprints and pin them for scans.")
    .argument('[hosts...]', 'inventory host names')
    .option('--all', 'every inventory host with an ssh connection')
    .option('--replace', 'accept a key that differs from the pinned one (the host was rebuilt)')
    .option('--json', 'print one result per host as JSON')
    .addHelpText(
      'after',
      `
Examples:
  patchwise hosts trust web-1            show web-1's key fingerprints and pin them
  patchwise hosts trust --all
  patchwise hosts trust web-1 --replace  web-1 was rebuilt: replace its pinned key

Scans connect with strict host-key checking against <data dir>/known_hosts, so a host must be trusted
before its first scan. Compare the fingerprints shown with the host's own (on the host:
ssh-keygen -lf /etc/ssh/ssh_host_ed25519_key.pub). A host whose key changed is refused, here and by
every scan, until you re-trust it with --replace.
Exit codes: 0 all pinned or unchanged, 1 a changed key was refused, 3 a host could not be reached.`,
    )
    .action(async (names: string[], opts: TrustOptions) => {
      const { hosts: selected, ssh } = await selectHosts(ctx, names, opts.all);
      const [{ knownHostsPath }, { trustHosts }] = await Promise.all([
        import('../../adapters/transport/transport-for-host.js'),
        import('../../app/trust-hosts.js'),
      ]);
      const knownHostsFile = knownHostsPath(ctx.dataDir, ssh);
      const results = await trustHosts(selected, { knownHostsFile, replace: opts.replace });
      if (opts.json) printJson(results);
      else printTrust(results);
      if (results.some((r) => r.outcome === 'failed')) process.exitCode = EXIT.operational;
      else if (results.some((r) => r.outcome === 'refused-changed')) process.exitCode = EXIT.found;
    });
}

async function selectHosts(
  ctx: CliContext,
  names: string[],
  all?: boolean,
): Promise<{ hosts: Host[]; ssh: SshDefaults }> {
  if (all && names.length > 0) throw new UserError('trust-usage', 'Name hosts or use --all, not both.');
  if (!all && names.length === 0) {
    throw new UserError(
      'trust-usage',
      'Say which hosts to trust.',
      'Example: patchwise hosts trust web-1, or --all',
    );
  }
  const { loadInventory, requireHost } = await import('../../app/inventory.js');
  const inv = await loadInventory(ctx.inventoryInputs());
  const ssh = inv.config.config.ssh ?? {};
  if (all) return { hosts: inv.hosts.filter((h) => h.connection && 'ssh' in h.connection), ssh };
  return { hosts: names.map((n) => requireHost(inv, n).host), ssh };
}

function printTrust(results: TrustResult[]): void {
  const out: string[] = [];
  for (const r of results) {
    out.push(`${r.host}${r.knownAs ? ` (${r.knownAs})` : ''}: ${r.outcome}`);
    for (const k of r.keys) out.push(`  ${k.type.padEnd(20)} ${k.fingerprint}`);
    for (const k of r.previous ?? []) out.push(`  was ${k.type.padEnd(16)} ${k.fingerprint}`);
    if (r.message) out.push(`  ${r.message}`);
  }
  process.stdout.write(out.map(safeText).join('\n') + '\n');
}
