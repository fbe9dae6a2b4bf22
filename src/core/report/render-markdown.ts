import type { MonthlyReport } from './monthly-report.js';
import { reportSections, reportSubtitle, reportTitle, type Table } from './report-sections.js';

const CONTROL =
  // eslint-disable-next-line no-control-regex -- finding control characters is the point
  /[\u0000-\u001f\u007f-\u009f\u2028-\u202e\u2066-\u2069]/g;

/**
 * Text from hosts, feeds and users made inert in Markdown: control characters shown escaped, HTML's
 * `<>&` as entities (Markdown passes HTML through), and Markdown's own punctuation backslash-escaped.
 */
export function mdText(s: string): string {
  return s
    .replace(CONTROL, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`)
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/([\\`*_[\]|#!])/g, '\\$1');
}

function mdTable(t: Table): string[] {
  const align = t.headers.map((_, i) => (t.numeric?.includes(i) ? '---:' : '---'));
  return [
    `| ${t.headers.map(mdText).join(' | ')} |`,
    `| ${align.join(' | ')} |`,
    ...t.rows.map((r) => `| ${r.map(mdText).join(' | ')} |`),
  ];
}

/** The monthly report as Markdown: headings, sentences and tables; every value escaped. */
export function renderMarkdown(r: MonthlyReport): string {
  const out = [`# ${mdText(reportTitle(r))}`, '', mdText(reportSubtitle(r)), ''];
  for (const s of reportSections(r)) {
    out.push(`${'#'.repeat(s.level)} ${mdText(s.heading)}`, '');
    for (const l of s.lines) out.push(mdText(l), '');
    if (s.table && s.table.rows.length) out.push(...mdTable(s.table), '');
    if (s.more) out.push(`… and ${s.more} more.`, '');
  }
  return out.join('\n');
}
