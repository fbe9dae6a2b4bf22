import { UserError } from '../errors.js';
import type { EpssScore } from '../findings/finding.js';

/** An EPSS file's model line (`#model_version:v2025.03.14,score_date:2025-03-20T00:00:00Z`). */
export interface EpssModel {
  modelVersion?: string;
  scoreDate?: string;
}

/** A parsed EPSS file. */
export interface EpssFile extends EpssModel {
  scores: EpssScore[];
}

const CVE = /^CVE-\d{4}-\d{4,}$/;

/**
 * A line-at-a-time reader of FIRST's EPSS CSV (`#model_version:...,score_date:...`, then
 * `cve,epss,percentile`, then one row per CVE). Feed it lines as they arrive (a stream, or a split
 * string); it keeps only the scores, so a 300k-row file costs one pass and no intermediate arrays.
 */
export class EpssReader {
  readonly model: EpssModel = {};
  readonly scores: EpssScore[] = [];
  private lineNo = 0;
  private header = false;

  constructor(private readonly where: string) {}

  /** Reads one line (without its newline). */
  line(raw: string): void {
    this.lineNo++;
    const line = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
    if (line === '') return;
    if (line.startsWith('#')) return this.comment(line);
    if (!this.header) return this.readHeader(line);
    const c1 = line.indexOf(',');
    const c2 = line.indexOf(',', c1 + 1);
    const cve = line.slice(0, c1);
    if (c1 < 0 || c2 < 0 || !CVE.test(cve))
      this.fail('cve', `expected CVE-YYYY-NNNN,score,percentile, got "${line.slice(0, 60)}"`);
    const score = this.unit(line.slice(c1 + 1, c2), 'epss');
    const percentile = this.unit(line.slice(c2 + 1), 'percentile');
    this.scores.push({ cve, score, percentile });
  }

  /** The result once every line has been read. */
  finish(): EpssFile {
    if (!this.header) this.fail('header', 'no "cve,epss,percentile" header line');
    return { ...this.model, scores: this.scores };
  }

  private comment(line: string): void {
    for (const part of line.slice(1).split(',')) {
      const i = part.indexOf(':');
      const key = part.slice(0, i).trim();
      const value = part.slice(i + 1).trim();
      if (key === 'model_version') this.model.modelVersion = value;
      if (key === 'score_date') this.model.scoreDate = value;
    }
  }

  private readHeader(line: string): void {
    if (line.replace(/\s/g, '') !== 'cve,epss,percentile')
      this.fail('header', `expected "cve,epss,percentile", got "${line.slice(0, 60)}"`);
    this.header = true;
  }

  private unit(text: string, field: string): number {
    const n = Number(text);
    if (text === '' || !Number.isFinite(n) || n < 0 || n > 1)
      this.fail(field, `expected a number from 0 to 1, got "${text}"`);
    return n;
  }

  private fail(field: string, message: string): never {
    throw new UserError(
      'feed-invalid-record',
      `${this.where}: line ${this.lineNo}: field ${field}: ${message}.`,
    );
  }
}

/** Parses a whole EPSS CSV held in memory. See {@link EpssReader}. */
export function parseEpss(text: string, where: string): EpssFile {
  const reader = new EpssReader(where);
  let start = 0;
  while (start < text.length) {
    let end = text.indexOf('\n', start);
    if (end < 0) end = text.length;
    reader.line(text.slice(start, end));
    start = end + 1;
  }
  return reader.finish();
}
