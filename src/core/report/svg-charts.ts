/**
 * Small server-side SVG charts for reports: a line/area chart and a grouped bar chart. Pure and
 * deterministic (the same data gives the same bytes: coordinates rounded to one decimal, no ids from
 * counters or clocks), every text escaped, viewable without JavaScript or external files.
 */

/** One named series of values (null: no value at that point). */
export interface Series {
  name: string;
  values: readonly (number | null)[];
  /** A CSS colour; the palette's next colour when absent. */
  color?: string;
}

/** What both chart kinds take. */
export interface ChartInput {
  title: string;
  /** One label per point (x axis) or per category (bars). */
  labels: readonly string[];
  series: readonly Series[];
  /** Appended to axis values and bar labels (`d`, `%`). */
  unit?: string;
  width?: number;
  height?: number;
  /** The y axis's top (default: a round number above the largest value). */
  max?: number;
}

/** Colours that stay apart for colour-blind readers (Okabe-Ito). */
export const PALETTE = ['#0072B2', '#D55E00', '#009E73', '#CC79A7', '#E69F00', '#56B4E9'] as const;

const MARGIN = { top: 36, right: 16, bottom: 48, left: 48 };

/** Text made safe inside SVG/HTML element content and attribute values. */
export function escapeXml(s: string): string {
  return s
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;')
    .replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/g, ''); // eslint-disable-line no-control-regex -- XML forbids them
}

/** A number as SVG writes it: at most one decimal, no `-0`. */
export function num(v: number): string {
  const r = Math.round(v * 10) / 10;
  return Object.is(r, -0) ? '0' : String(r);
}

/**
 * A round axis for values up to `max`: the top (1, 2, 2.5 or 5 times a power of ten, times `ticks`) and
 * the tick values from 0. A max of 0 or less gives the axis 0..`ticks`.
 */
export function niceScale(max: number, ticks = 4): { top: number; ticks: number[] } {
  const raw = max > 0 ? max / ticks : 1;
  const pow = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 2.5, 5, 10].map((m) => m * pow).find((s) => s >= raw - 1e-9) ?? 10 * pow;
  const out: number[] = [];
  for (let i = 0; i <= ticks; i++) out.push(Math.round(step * i * 1e6) / 1e6);
  return { top: out[ticks]!, ticks: out };
}

interface Frame {
  width: number;
  height: number;
  plotW: number;
  plotH: number;
  top: number;
  y: (v: number) => number;
}

function frame(input: ChartInput): Frame {
  const width = input.width ?? 640;
  const height = input.height ?? 260;
  const values = input.series.flatMap((s) => s.values.filter((v): v is number => v !== null));
  const top = input.max ?? niceScale(Math.max(0, ...values)).top;
  const plotW = width - MARGIN.left - MARGIN.right;
  const plotH = height - MARGIN.top - MARGIN.bottom;
  const y = (v: number) => MARGIN.top + plotH - (Math.min(Math.max(v, 0), top) / (top || 1)) * plotH;
  return { width, height, plotW, plotH, top, y };
}

function open(input: ChartInput, f: Frame): string[] {
  const t = escapeXml(input.title);
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" class="chart" viewBox="0 0 ${f.width} ${f.height}" width="${f.width}" height="${f.height}" role="img" aria-label="${t}">`,
    `<title>${t}</title>`,
    `<text class="chart-title" x="${MARGIN.left}" y="20" font-size="14" font-weight="bold">${t}</text>`,
  ];
}

/** The y axis: grid lines with values. */
function yAxis(input: ChartInput, f: Frame): string[] {
  const unit = escapeXml(input.unit ?? '');
  const step = f.top / 4;
  const out: string[] = [];
  for (let i = 0; i <= 4; i++) {
    const v = Math.round(step * i * 1e6) / 1e6;
    const y = num(f.y(v));
    out.push(
      `<line class="grid" x1="${MARGIN.left}" x2="${MARGIN.left + f.plotW}" y1="${y}" y2="${y}" stroke="#ddd"/>`,
      `<text class="tick" x="${MARGIN.left - 6}" y="${y}" font-size="11" text-anchor="end" dominant-baseline="middle">${num(v)}${unit}</text>`,
    );
  }
  return out;
}

function legend(series: readonly Series[], f: Frame): string[] {
  return series.map((s, i) => {
    const x = MARGIN.left + i * 140;
    const y = f.height - 10;
    return `<g class="legend"><rect x="${x}" y="${y - 9}" width="10" height="10" fill="${colorOf(s, i)}"/><text x="${x + 14}" y="${y}" font-size="11">${escapeXml(s.name)}</text></g>`;
  });
}

function colorOf(s: Series, i: number): string {
  return escapeXml(s.color ?? PALETTE[i % PALETTE.length]!);
}

/** Labels along the x axis, at most about `max` of them (evenly thinned), the last always shown. */
function xLabels(labels: readonly string[], at: (i: number) => number, f: Frame, max = 10): string[] {
  const every = Math.max(1, Math.ceil(labels.length / max));
  const out: string[] = [];
  labels.forEach((l, i) => {
    if (i % every !== 0 && i !== labels.length - 1) return;
    out.push(
      `<text class="label" x="${num(at(i))}" y="${MARGIN.top + f.plotH + 16}" font-size="11" text-anchor="middle">${escapeXml(l)}</text>`,
    );
  });
  return out;
}

/**
 * A line chart (the first series also filled as an area) over `labels`, e.g. findings open by day. A
 * null value breaks the line. With no labels it says so instead of drawing lines.
 */
export function lineChart(input: ChartInput): string {
  const f = frame(input);
  const out = [...open(input, f), ...yAxis(input, f)];
  const n = input.labels.length;
  const x = (i: number) => MARGIN.left + (n <= 1 ? f.plotW / 2 : (i / (n - 1)) * f.plotW);
  if (n === 0) out.push(noData(f));
  input.series.forEach((s, si) => {
    const color = colorOf(s, si);
    for (const run of runsOf(s.values)) {
      const pts = run.map((i) => `${num(x(i))},${num(f.y(s.values[i]!))}`);
      if (si === 0 && run.length > 1) {
        const base = num(f.y(0));
        out.push(
          `<path class="area" d="M${num(x(run[0]!))},${base} L${pts.join(' L')} L${num(x(run.at(-1)!))},${base} Z" fill="${color}" fill-opacity="0.15" stroke="none"/>`,
        );
      }
      out.push(
        `<polyline class="line" points="${pts.join(' ')}" fill="none" stroke="${color}" stroke-width="2"/>`,
      );
      for (const i of run)
        out.push(
          `<circle cx="${num(x(i))}" cy="${num(f.y(s.values[i]!))}" r="2.5" fill="${color}"><title>${escapeXml(`${s.name} ${input.labels[i] ?? ''}: ${num(s.values[i]!)}${input.unit ?? ''}`)}</title></circle>`,
        );
    }
  });
  out.push(...xLabels(input.labels, x, f), ...legend(input.series, f), '</svg>');
  return out.join('\n');
}

/** A grouped bar chart: one group per label, one bar per series, its value written above it. */
export function barChart(input: ChartInput): string {
  const f = frame(input);
  const out = [...open(input, f), ...yAxis(input, f)];
  const n = input.labels.length;
  if (n === 0) out.push(noData(f));
  const group = f.plotW / Math.max(1, n);
  const k = Math.max(1, input.series.length);
  const bar = Math.min(40, (group * 0.8) / k);
  const unit = input.unit ?? '';
  for (let i = 0; i < n; i++) {
    const start = MARGIN.left + i * group + (group - bar * k) / 2;
    input.series.forEach((s, si) => {
      const v = s.values[i];
      if (v === null || v === undefined) return;
      const x = start + si * bar;
      const y = f.y(v);
      const h = MARGIN.top + f.plotH - y;
      const label = escapeXml(`${s.name}, ${input.labels[i] ?? ''}: ${num(v)}${unit}`);
      out.push(
        `<rect class="bar" x="${num(x)}" y="${num(y)}" width="${num(bar - 2)}" height="${num(h)}" fill="${colorOf(s, si)}"><title>${label}</title></rect>`,
        `<text class="value" x="${num(x + bar / 2 - 1)}" y="${num(y - 4)}" font-size="10" text-anchor="middle">${num(v)}${escapeXml(unit)}</text>`,
      );
    });
  }
  out.push(...xLabels(input.labels, (i) => MARGIN.left + i * group + group / 2, f, 12));
  out.push(...legend(input.series, f), '</svg>');
  return out.join('\n');
}

function noData(f: Frame): string {
  return `<text class="no-data" x="${num(MARGIN.left + f.plotW / 2)}" y="${num(MARGIN.top + f.plotH / 2)}" font-size="12" text-anchor="middle">no data</text>`;
}

/** Indices of the runs of consecutive non-null values. */
function runsOf(values: readonly (number | null)[]): number[][] {
  const out: number[][] = [];
  let cur: number[] = [];
  values.forEach((v, i) => {
    if (v === null || !Number.isFinite(v)) {
      if (cur.length) out.push(cur);
      cur = [];
    } else cur.push(i);
  });
  if (cur.length) out.push(cur);
  return out;
}
