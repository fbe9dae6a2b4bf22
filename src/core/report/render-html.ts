import { tierLabel, type MonthlyReport } from './monthly-report.js';
import { reportSections, reportSubtitle, reportTitle, type Section, type Table } from './report-sections.js';
import { barChart, escapeXml, lineChart } from './svg-charts.js';

const CSS = `body{font:14px/1.45 system-ui,sans-serif;margin:2rem auto;max-width:1000px;padding:0 1rem;color:#222}
h1{font-size:1.6rem}h2{margin-top:2rem;border-bottom:1px solid #ccc}h3{font-size:1.05rem}
table{border-collapse:collapse;margin:.5rem 0}th,td{border:1px solid #ddd;padding:.25rem .5rem;text-align:left}
th{background:#f4f4f4}td.n{text-align:right;font-variant-numeric:tabular-nums}
.charts svg{max-width:100%;height:auto;display:block;margin:1rem 0}.more{color:#555;font-style:italic}
@media print{h2{break-after:avoid}table{break-inside:avoid}}`;

function htmlTable(t: Table): string {
  const cell = (v: string, i: number, tag: string) =>
    `<${tag}${tag === 'td' && t.numeric?.includes(i) ? ' class="n"' : ''}>${escapeXml(v)}</${tag}>`;
  return [
    '<table>',
    `<thead><tr>${t.headers.map((h, i) => cell(h, i, 'th')).join('')}</tr></thead>`,
    '<tbody>',
    ...t.rows.map((r) => `<tr>${r.map((v, i) => cell(v, i, 'td')).join('')}</tr>`),
    '</tbody></table>',
  ].join('\n');
}

function htmlSection(s: Section): string {
  const out = [`<h${s.level} id="${escapeXml(s.id)}">${escapeXml(s.heading)}</h${s.level}>`];
  for (const l of s.lines) out.push(`<p>${escapeXml(l)}</p>`);
  if (s.table && s.table.rows.length) out.push(htmlTable(s.table));
  if (s.more) out.push(`<p class="more">… and ${s.more} more.</p>`);
  return out.join('\n');
}

/** The report's charts: findings open over time, time to remediate by tier, SLA compliance by tier. */
export function reportCharts(r: MonthlyReport): { id: string; svg: string }[] {
  const days = r.openOverTime;
  const tiers = r.remediation.byTier;
  return [
    {
      id: 'open-over-time',
      svg: lineChart({
        title: 'Findings open over time',
        labels: days.map((d) => d.day.slice(8)),
        series: [
          { name: 'open', values: days.map((d) => d.open) },
          { name: 'overdue', values: days.map((d) => d.overdue) },
          { name: 'known exploited', values: days.map((d) => d.kev) },
        ],
      }),
    },
    {
      id: 'remediation',
      svg: barChart({
        title: 'Time to remediate by tier (days)',
        labels: tiers.map((t) => tierLabel(t.tier)),
        series: [
          { name: 'median', values: tiers.map((t) => t.medianDays) },
          { name: 'p90', values: tiers.map((t) => t.p90Days) },
        ],
        unit: ' d',
      }),
    },
    {
      id: 'remediation',
      svg: barChart({
        title: 'SLA compliance by tier (fixed by the due date)',
        labels: tiers.map((t) => tierLabel(t.tier)),
        series: [
          {
            name: 'on time',
            values: tiers.map((t) =>
              t.slaCompliance === null ? null : Math.round(t.slaCompliance * 1000) / 10,
            ),
            color: '#009E73',
          },
        ],
        unit: '%',
        max: 100,
      }),
    },
  ];
}

/**
 * The monthly report as one self-contained HTML page: inline CSS, inline SVG charts, no script and no
 * external resource; every value escaped.
 */
export function renderHtml(r: MonthlyReport): string {
  const charts = reportCharts(r);
  const body: string[] = [];
  for (const s of reportSections(r)) {
    body.push(htmlSection(s));
    const here = charts.filter((c) => c.id === s.id);
    if (here.length) body.push(`<div class="charts">\n${here.map((c) => c.svg).join('\n')}\n</div>`);
  }
  const title = escapeXml(reportTitle(r));
  return [
    '<!DOCTYPE html>',
    '<html lang="en">',
    '<head>',
    '<meta charset="utf-8">',
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    `<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:">`,
    `<title>${title}</title>`,
    `<style>${CSS}</style>`,
    '</head>',
    '<body>',
    `<h1>${title}</h1>`,
    `<p>${escapeXml(reportSubtitle(r))}</p>`,
    ...body,
    '</body>',
    '</html>',
    '',
  ].join('\n');
}
