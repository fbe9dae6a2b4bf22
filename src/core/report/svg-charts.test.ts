import { describe, expect, it } from 'vitest';
import { barChart, escapeXml, lineChart, niceScale, num } from './svg-charts.js';

describe('niceScale', () => {
  it.each([
    [0, 4, [0, 1, 2, 3, 4]],
    [7, 4, [0, 2, 4, 6, 8]],
    [100, 4, [0, 25, 50, 75, 100]],
    [101, 4, [0, 50, 100, 150, 200]],
    [0.3, 3, [0, 0.1, 0.2, 0.3]],
  ])('max %d over %d ticks', (max, ticks, want) => {
    const s = niceScale(max, ticks);
    expect(s.ticks).toEqual(want);
    expect(s.top).toBe(want.at(-1));
    expect(s.top).toBeGreaterThanOrEqual(max);
  });
});

describe('escapeXml and num', () => {
  it('escapes markup and drops characters XML forbids', () => {
    expect(escapeXml(`<script>alert("x")</script>&'\u0007`)).toBe(
      '&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;&amp;&#39;',
    );
  });
  it('rounds to one decimal without -0', () => {
    expect([num(1.26), num(-0.01), num(3)]).toEqual(['1.3', '0', '3']);
  });
});

const hostile = '<script>alert(1)</script>';

describe('lineChart', () => {
  const input = {
    title: `Open ${hostile}`,
    labels: ['01', '02', '03', '04'],
    series: [
      { name: 'open', values: [10, 12, null, 8] },
      { name: hostile, values: [1, 2, 3, 4] },
    ],
  };
  const svg = lineChart(input);

  it('is one svg element with a title, axes, an area and a line per unbroken run', () => {
    expect(svg.startsWith('<svg xmlns="http://www.w3.org/2000/svg"')).toBe(true);
    expect(svg.trimEnd().endsWith('</svg>')).toBe(true);
    expect(svg).toContain('<title>Open &lt;script&gt;');
    expect(svg.match(/class="grid"/g)).toHaveLength(5);
    // The null breaks "open" into two runs: [10, 12] and [8]; the second series is one run.
    expect(svg.match(/class="line"/g)).toHaveLength(3);
    expect(svg.match(/class="area"/g)).toHaveLength(1);
    expect(svg.match(/<circle /g)).toHaveLength(7);
    expect(svg.match(/class="label"/g)).toHaveLength(4);
  });

  it('scales values to the round top of the axis (20 for 12), 0 at the bottom', () => {
    // height 260: the plot runs from y 36 (20) to y 212 (0), so 10 sits at 212 - 10/20 * 176 = 124.
    expect(svg).toContain('>20</text>');
    expect(svg).toMatch(/<circle cx="48" cy="124" /);
  });

  it('escapes every text it was given', () => {
    expect(svg).not.toContain('<script>');
    expect(svg).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
  });

  it('is deterministic and says "no data" for no points', () => {
    expect(lineChart(input)).toBe(svg);
    expect(lineChart({ title: 't', labels: [], series: [] })).toContain('no data');
  });
});

describe('barChart', () => {
  const svg = barChart({
    title: 'Time to remediate',
    labels: ['tier 1', 'tier 2', hostile],
    series: [
      { name: 'median', values: [2, 5.25, null] },
      { name: 'p90', values: [4, 10, 1] },
    ],
    unit: ' d',
  });

  it('draws a bar per value (none for null) with its value above it', () => {
    expect(svg.match(/class="bar"/g)).toHaveLength(5);
    expect(svg.match(/class="value"/g)).toHaveLength(5);
    expect(svg).toContain('>5.3 d</text>');
    expect(svg).toContain('<title>p90, tier 2: 10 d</title>');
  });

  it('bars stand on the axis: y + height is the bottom of the plot', () => {
    for (const m of svg.matchAll(/class="bar" x="[\d.]+" y="([\d.]+)" width="[\d.]+" height="([\d.]+)"/g))
      expect(Number(m[1]) + Number(m[2])).toBeCloseTo(212, 0);
  });

  it('escapes category labels', () => {
    expect(svg).not.toContain('<script>');
  });
});
