import type { Command } from 'commander';
import type { DeliveryRecord } from '../../adapters/store/notification-store.js';
import type { CliContext } from '../context.js';
import { EXIT } from '../exit-codes.js';
import { formatTable, printJson } from '../output.js';

function table(list: readonly DeliveryRecord[]): string {
  return formatTable(list, [
    { header: 'ID', get: (d) => String(d.id) },
    { header: 'WEBHOOK', get: (d) => d.webhook },
    { header: 'EVENT', get: (d) => d.event },
    { header: 'SUBJECT', get: (d) => d.subject },
    { header: 'STATE', get: (d) => d.state },
    { header: 'TRIES', get: (d) => String(d.attempts) },
    { header: 'LAST', get: (d) => d.lastError ?? (d.lastStatus !== undefined ? String(d.lastStatus) : '-') },
    { header: 'CREATED', get: (d) => d.createdAt },
  ]);
}

/** Registers `patchwise notifications list|test`. */
export function register(program: Command, ctx: CliContext): void {
  const n = program
    .command('notifications')
    .description('Webhook notifications: what was sent, what failed; send a test event.')
    .addHelpText(
      'after',
      `
Examples:
  patchwise notifications list --failed
  patchwise notifications test ops-slack

Webhooks are configured under notifications: in patchwise.yaml; the scheduler sends emergencies, overdue
findings and expiring deferrals each pass, runs send their end and rollbacks. See docs/operations.md.`,
    );
  n.command('list')
    .description('Recorded deliveries, newest first (the last 1000).')
    .option('--failed', 'only deliveries given up or failing')
    .option('--json', 'print JSON')
    .action(async (o: { failed?: boolean; json?: boolean }) => {
      const { listDeliveries } = await import('../../app/notify.js');
      const list = await listDeliveries(ctx.inventoryInputs(), o.failed ? { failed: true } : {});
      if (o.json) return printJson(list);
      if (list.length === 0) return void process.stdout.write('no notifications recorded\n');
      process.stdout.write(table(list));
    });
  n.command('test')
    .argument('<name>', 'the webhook to send to')
    .description('Sends a test event to one webhook now, with the usual signature and retries.')
    .option('--json', 'print JSON')
    .action(async (name: string, o: { json?: boolean }) => {
      const { sendTestNotification } = await import('../../app/notify.js');
      const d = await sendTestNotification(ctx.inventoryInputs(), name, ctx.now ?? new Date());
      if (o.json) printJson(d);
      else process.stdout.write(table([d]));
      if (d.state !== 'delivered') process.exitCode = EXIT.operational;
    });
}
