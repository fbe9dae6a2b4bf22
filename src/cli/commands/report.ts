import type { Command } from 'commander';
import { UserError } from '../../core/errors.js';
import type { MonthlyReport } from '../../core/report/monthly-report.js';
import type { CliContext } from '../context.js';
import { decideClock } from './plan.js';

const FORMATS = ['md', 'html', 'json'] as const;
type Format = (typeof FORMATS)[number];
const isFormat = (s: string): s is Format => (FORMATS as readonly string[]).includes(s);

interface MonthlyOptions {
  month?: string;
  format: string;
  out?: string;
}

/** Registers `patchwise report monthly`. */
export function register(program: Command, ctx: CliContext): void {
  const report = program.command('report').description('Reports for people: the monthly patch review.');
  report
    .command('monthly')
    .description(
      "The month's review: unpatched systems, overdue findings by tier, known-exploited exposure, deferrals to review, old and orphaned VMs, pending reboots, runs and rollbacks, time to remediate and SLA compliance.",
    )
    .option('--month <YYYY-MM>', 'the month, in the policy time zone (default: the previous full month)')
    .option('--format <md|html|json>', 'Markdown, one self-contained HTML page with charts, or JSON', 'md')
    .option('--out <file>', 'write the report to this file instead of standard output')
    .addHelpText(
      'after',
      `
Examples:
  patchwise report monthly                                  last month, Markdown
  patchwise report monthly --month 2026-11 --format html --out review-2026-11.html
  patchwise report monthly --month 2026-12 --format json    the month to date

The fleet's state (open findings, reboots, old VMs) is as of now; runs, fixes and the daily open counts are
the month's. See docs/reports.md.`,
    )
    .action(async (opts: MonthlyOptions) => {
      if (!isFormat(opts.format))
        throw new UserError(
          'bad-format',
          `--format takes md, html or json, not ${JSON.stringify(opts.format.slice(0, 20))}.`,
        );
      const { monthlyReport } = await import('../../app/report-monthly.js');
      const clock = decideClock(ctx);
      const r = await monthlyReport(ctx.inventoryInputs(), {
        ...(opts.month ? { month: opts.month } : {}),
        ...(clock.now ? { now: clock.now } : {}),
        record: clock.record,
      });
      const text = await render(r, opts.format);
      if (!opts.out) {
        process.stdout.write(text);
        return;
      }
      const fs = await import('node:fs/promises');
      await fs.writeFile(opts.out, text).catch((e: unknown) => {
        throw new UserError(
          'report-write',
          `Cannot write ${opts.out}: ${(e as Error).message}`,
          'Check the path and its directory.',
          { cause: e },
        );
      });
      process.stderr.write(`Wrote the ${r.month} report to ${opts.out}\n`);
    });
}

async function render(r: MonthlyReport, format: Format): Promise<string> {
  if (format === 'json') return JSON.stringify(r, null, 2) + '\n';
  if (format === 'html') return (await import('../../core/report/render-html.js')).renderHtml(r);
  return (await import('../../core/report/render-markdown.js')).renderMarkdown(r);
}
