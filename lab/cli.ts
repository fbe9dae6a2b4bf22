import { Command } from 'commander';
import { UserError } from '../src/core/errors.js';
import { reportError } from '../src/cli/main.js';
import { formatTable, printJson } from '../src/cli/output.js';
import { isLabRole, Lab, type LabRole } from './lab.js';

function parseRoles(list: string): LabRole[] {
  const roles = list.split(',').map((r) => r.trim());
  const bad = roles.filter((r) => !isLabRole(r));
  if (bad.length)
    throw new UserError('lab-role', `Unknown role(s): ${bad.join(', ')}.`, 'Roles are web, db and plain.');
  return roles as LabRole[];
}

function when(unix?: number): string {
  return unix ? new Date(unix * 1000).toISOString().replace('.000Z', 'Z') : '';
}

function printStatus(lab: Lab, json: boolean): void {
  const rows = lab.status();
  if (json) return printJson(rows);
  process.stdout.write(
    formatTable(rows, [
      { header: 'HOST', get: (r) => r.name },
      { header: 'ADDRESS', get: (r) => r.address },
      { header: 'ROLE', get: (r) => r.role },
      { header: 'STATE', get: (r) => r.state },
      { header: 'BOOTED', get: (r) => when(r.bootTime) },
      { header: 'REBOOT', get: (r) => (r.rebootRequired ? 'required' : '') },
      {
        header: 'MEM',
        get: (r) => (r.memoryKiB ? `${Math.round(r.memoryKiB / 1024)}M` : ''),
        align: 'right',
      },
      { header: 'SNAPSHOTS', get: (r) => r.snapshots.join(','), max: 60 },
    ]),
  );
}

/** The `npm run lab -- …` program: a thin layer over lab/lab.ts. */
export function buildLabProgram(): Command {
  const lab = new Lab();
  const program = new Command('lab')
    .description('The patchwise lab: a fleet of real Debian 12 hosts on this machine (needs root).')
    .exitOverride()
    .addHelpText(
      'after',
      `
Examples:
  npm run lab -- up --hosts 3                      three plain hosts, prints the patchwise config path
  npm run lab -- up --hosts 6 --roles web,db,plain  roles cycled over the hosts
  patchwise --config /var/lib/patchwise-lab/patchwise.yaml scan --all
  npm run lab -- reboot lab-2
  npm run lab -- snapshot lab-1 before-patch && npm run lab -- restore lab-1 before-patch
  npm run lab -- down
State: $PATCHWISE_LAB_DIR (default /var/lib/patchwise-lab). Docs: docs/lab.md`,
    );
  program
    .command('up')
    .description('create and boot hosts lab-1..lab-N, write the patchwise config, print its path')
    .requiredOption('--hosts <n>', 'number of hosts', (v) => Number(v))
    .option('--roles <list>', 'roles cycled over new hosts: web, db, plain', 'plain')
    .action(async (o: { hosts: number; roles: string }) => {
      process.stdout.write((await lab.up(o.hosts, parseRoles(o.roles))) + '\n');
    });
  program
    .command('down')
    .description('remove every host, mount and process of the lab')
    .action(() => lab.down());
  program
    .command('status')
    .description('each host: address, state, boot time, pending reboot, memory, snapshots')
    .option('--json', 'print JSON')
    .action((o: { json?: boolean }) => printStatus(lab, Boolean(o.json)));
  program
    .command('start <host>')
    .description('boot a stopped host')
    .action((h: string) => lab.start(h));
  program
    .command('shutdown <host>')
    .description('shut a host down cleanly')
    .action((h: string) => lab.shutdown(h));
  program
    .command('reboot <host>')
    .description('reboot a host and wait until sshd answers')
    .action((h: string) => lab.reboot(h));
  program
    .command('snapshot <host> [name]')
    .description("copy the host's layer live (its processes frozen meanwhile, no reboot)")
    .option('--stopped', 'shut the host down for the copy and boot it again (the old way)')
    .action(async (h: string, n: string | undefined, o: { stopped?: boolean }) => {
      process.stdout.write((await lab.snapshot(h, n, { live: !o.stopped })).name + '\n');
    });
  program
    .command('restore <host> <name>')
    .description('restore a snapshot exactly and boot the host')
    .action((h: string, n: string) => lab.restore(h, n));
  program
    .command('snapshots <host>')
    .description("list a host's snapshots")
    .option('--json', 'print JSON')
    .action((h: string, o: { json?: boolean }) => {
      const snaps = lab.listSnapshots(h);
      if (o.json) return printJson(snaps);
      process.stdout.write(
        formatTable(snaps, [
          { header: 'NAME', get: (s) => s.name },
          { header: 'CREATED', get: (s) => s.createdAt },
          { header: 'SIZE', get: (s) => `${(s.bytes / 1048576).toFixed(1)}M`, align: 'right' },
          { header: 'LIVE', get: (s) => (s.live === undefined ? '' : s.live ? 'yes' : 'no') },
        ]),
      );
    });
  program
    .command('delete-snapshot <host> <name>')
    .description('delete a snapshot')
    .action((h: string, n: string) => lab.deleteSnapshot(h, n));
  program
    .command('exec <host> <command...>')
    .description('run a command inside a host (no ssh), e.g. exec lab-1 -- systemctl status')
    .action(async (h: string, argv: string[]) => {
      const r = await lab.exec(h, argv, { check: false });
      process.stdout.write(r.stdout);
      process.stderr.write(r.stderr);
      process.exitCode = r.code ?? 3;
    });
  return program;
}

try {
  await buildLabProgram().parseAsync(process.argv);
} catch (e) {
  process.exitCode = reportError(e);
}
