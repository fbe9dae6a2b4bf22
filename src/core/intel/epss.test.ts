import { describe, expect, it } from 'vitest';
import { UserError } from '../errors.js';
import { EpssReader, parseEpss } from './epss.js';

describe('parseEpss', () => {
  it('reads the model line, the header and the rows (CRLF too)', () => {
    const text =
      '#model_version:v2026.06.15,score_date:2026-09-29T12:00:22Z\r\ncve,epss,percentile\r\nCVE-1999-0001,0.03351,0.88255\r\nCVE-2024-12345,1,0\r\n';
    expect(parseEpss(text, 'e.csv')).toEqual({
      modelVersion: 'v2026.06.15',
      scoreDate: '2026-09-29T12:00:22Z',
      scores: [
        { cve: 'CVE-1999-0001', score: 0.03351, percentile: 0.88255 },
        { cve: 'CVE-2024-12345', score: 1, percentile: 0 },
      ],
    });
  });

  it('accepts a file without the model line', () => {
    expect(parseEpss('cve,epss,percentile\nCVE-2020-1234,0.5,0.5', 'e').scores).toHaveLength(1);
  });

  it.each([
    ['no header', '#model_version:x\n', 'field header'],
    ['wrong header', 'cve,score\n', 'field header'],
    ['bad CVE', 'cve,epss,percentile\nCVE-12,0.1,0.1\n', 'line 2: field cve'],
    ['score above 1', 'cve,epss,percentile\nCVE-2020-1234,1.5,0.1\n', 'line 2: field epss'],
    ['missing percentile', 'cve,epss,percentile\nCVE-2020-1234,0.5,\n', 'line 2: field percentile'],
    ['not a number', 'cve,epss,percentile\nCVE-2020-1234,0.5,abc\n', 'field percentile'],
  ])('rejects %s naming line and field', (_n, text, msg) => {
    expect(() => parseEpss(text, 'e.csv')).toThrow(UserError);
    expect(() => parseEpss(text, 'e.csv')).toThrow(msg);
  });

  it('reads many rows fed line by line', () => {
    const lines = ['cve,epss,percentile'];
    for (let i = 0; i < 50_000; i++) lines.push(`CVE-2024-${10000 + i},0.00043,0.1234`);
    const reader = new EpssReader('big');
    for (const l of lines) reader.line(l);
    expect(reader.finish().scores).toHaveLength(50_000);
  });
});
