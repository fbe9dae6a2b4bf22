import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { NdjsonWriter } from './ndjson.js';

describe('NdjsonWriter', () => {
  it('writes a header line, then one record a line', async () => {
    const out = new PassThrough();
    const chunks: string[] = [];
    out.on('data', (c: Buffer) => chunks.push(c.toString()));
    const w = new NdjsonWriter(out);
    await w.header('plan', 2, { now: '2026-12-01T09:00:00.000Z' });
    for (let i = 0; i < 3000; i++) await w.write({ host: `h${i}`, n: i });
    await w.flush();
    const lines = chunks.join('').trimEnd().split('\n');
    expect(JSON.parse(lines[0]!)).toEqual({
      format: 'patchwise.plan',
      version: 2,
      now: '2026-12-01T09:00:00.000Z',
    });
    expect(lines).toHaveLength(3001);
    expect(JSON.parse(lines[3000]!)).toEqual({ host: 'h2999', n: 2999 });
  });
});
