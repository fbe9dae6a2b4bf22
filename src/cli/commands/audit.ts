import type { Command } from 'commander';
import { UserError } from '../../core/errors.js';
import type { CliContext } from '../context.js';
import { EXIT } from '../exit-codes.js';
import { formatTable, printJson } from '../output.js';
import { safeText } from '../safe-text.js';

function parseSince(v: string): string {
  const t = Date.parse(v);
  if (!/^\d{4}-\d{2}-\d{2}/.test(v) || Number.isNaN(t))
    throw new UserError(
      'audit-since',
      `--since takes an ISO 8601 date or time, not ${JSON.stringify(v.slice(0, 60))}.`,
      'Examples: --since 2026-12-01, --since 2026-12-01T08:00:00Z',
    );
  return new Date(t).toISOString();
}

function parseLimit(v: string): number {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1)
    throw new UserError('audit-limit', `--limit takes a whole number of entries, not ${JSON.stringify(v)}.`);
  return n;
}

function registerVerify(audit: Command, ctx: CliContext): void {
  audit
    .command('verify')
    .description(
      'Re-compute the hash chain; exit 1 naming the first entry that was edited, removed or reordered.',
    )
    .option('--json', 'print the verdict as JSON')
    .action(async (o: { json?: boolean }) => {
      const { verifyAuditLog } = await import('../../app/audit.js');
      const v = await verifyAuditLog((await ctx.openStore()).db);
      if (o.json) printJson(v);
      else if (v.ok) process.stdout.write(`chain intact: ${v.entries} entries, last hash ${v.lastHash}\n`);
      else
        process.stdout.write(
          `chain broken at entry ${v.problem!.id} (${v.problem!.kind}): ${safeText(v.problem!.message)}\n` +
            `${v.entries} entries before it are intact, last good hash ${v.lastHash}\n`,
        );
      if (!v.ok) process.exitCode = EXIT.found;
    });
}

/** Registers `patchwise audit verify|export|list`. */
export function register(program: Command, ctx: CliContext): void {
  const audit = program
    .command('audit')
    .description(
      'The audit log: every decision, deferral, run step, override, token and configuration change, hash-chained.',
    )
    .addHelpText(
      'after',
      `
Examples:
  patchwise audit verify                       exit 0 when intact, 1 naming the first bad entry
  patchwise audit export --since 2026-12-01 > audit.ndjson
  patchwise audit list --subject D-3

See docs/audit.md for what is logged and what the chain does and does not protect against.`,
    );
  registerVerify(audit, ctx);
  audit
    .command('export')
    .description('Write the log as NDJSON for a SIEM: a header line, then one entry a line with its hashes.')
    .option('--since <iso>', 'only entries at or after this time', parseSince)
    .option('--json', 'NDJSON (the default and only format)')
    .action(async (o: { since?: string }) => {
      const [{ auditRecord }, { streamAudit }, { NdjsonWriter }] = await Promise.all([
        import('../../app/audit.js'),
        import('../../adapters/store/audit-log.js'),
        import('../ndjson.js'),
      ]);
      const out = new NdjsonWriter();
      await out.header('audit', 1, o.since ? { since: o.since } : {});
      for await (const e of streamAudit((await ctx.openStore()).db, { since: o.since })) {
        if (out.done) break;
        await out.write(auditRecord(e));
      }
      await out.flush();
    });
  audit
    .command('list')
    .description('The latest entries as a table, oldest first.')
    .option('--subject <s>', 'only entries about this subject (D-3, a run id, RUN/host, config)')
    .option('--limit <n>', 'how many of the latest entries', parseLimit, 50)
    .option('--json', 'print JSON')
    .action(async (o: { subject?: string; limit: number; json?: boolean }) => {
      const [{ auditRecord }, { recentAudit }] = await Promise.all([
        import('../../app/audit.js'),
        import('../../adapters/store/audit-log.js'),
      ]);
      const rows = await recentAudit((await ctx.openStore()).db, { subject: o.subject, limit: o.limit });
      if (o.json) return printJson(rows.map(auditRecord));
      if (rows.length === 0) return void process.stdout.write('no audit entries\n');
      process.stdout.write(
        formatTable(rows, [
          { header: 'ID', get: (e) => e.id, align: 'right' },
          { header: 'AT', get: (e) => e.at },
          { header: 'ACTOR', get: (e) => e.actor, max: 20 },
          { header: 'EVENT', get: (e) => e.event },
          { header: 'SUBJECT', get: (e) => e.subject, max: 40 },
          { header: 'DETAIL', get: (e) => e.detail, max: 60 },
        ]),
      );
    });
}
