import type { Command } from 'commander';
import { UserError } from '../../core/errors.js';
import { cvssBaseScore, cvssSeverity } from '../../core/intel/cvss-score.js';
import type { CliContext } from '../context.js';
import { filterStdin, lineFilter, writeStdout, type LineResult } from '../line-filter.js';

const SCORE_HELP = `
Input: one vector per line on stdin (or the vectors given as arguments). Versions: CVSS:3.0/, CVSS:3.1/, CVSS:4.0/.
Output: one base score per non-blank input line, in order, with one decimal (9.8, 0.0, 10.0). A v4.0 vector's
score takes in the threat and environmental metrics it carries (CVSS-B, -BT, -BE, -BTE); a v3 vector's base
score ignores its temporal and environmental metrics. An invalid vector prints
"error: line N: invalid CVSS vector ...: reason" in its place and the other lines still run; blank lines print
nothing but still count. Exit code 0 when every line was valid, 2 otherwise.
--json prints one JSON array, one record per line: {vector, version, score, severity}, or {line, vector, error}.
Severity: none 0.0, low 0.1-3.9, medium 4.0-6.9, high 7.0-8.9, critical 9.0-10.0.

Examples:
  $ printf 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H\\nCVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N\\n' \\
      | patchwise cvss score
  9.8
  9.3
  $ patchwise cvss score --json 'CVSS:3.0/AV:L/AC:H/PR:H/UI:R/S:U/C:L/I:N/A:N'
  [
  {"vector":"CVSS:3.0/AV:L/AC:H/PR:H/UI:R/S:U/C:L/I:N/A:N","version":"3.0","score":1.8,"severity":"low"}
  ]
  $ echo 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H' | patchwise cvss score; echo "exit $?"
  error: line 1: invalid CVSS vector "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H": missing mandatory metric A
  exit 2
Docs: docs/cvss.md`;

interface ScoreOptions {
  json?: boolean;
}

/** Registers `patchwise cvss`. */
export function register(program: Command, _ctx: CliContext): void {
  const cvss = program.command('cvss').description('Score CVSS v3.0, v3.1 and v4.0 vectors exactly.');
  cvss
    .command('score')
    .description('Print the base score of each CVSS vector read from stdin (or given as arguments).')
    .argument('[vector...]', 'vectors to score instead of reading stdin')
    .option('--json', 'print a JSON array of {vector, version, score, severity} records')
    .addHelpText('after', SCORE_HELP)
    .action(async (vectors: string[], opts: ScoreOptions) => {
      const json = Boolean(opts.json);
      const unit = vectors.length > 0 ? 'argument' : 'line';
      const scorer = lineFilter((l, n) => scoreLine(l, n, json, unit), json ? 'json-array' : 'lines');
      if (vectors.length > 0) {
        await writeStdout(scorer.open() + scorer.run(vectors) + scorer.close());
      } else {
        await filterStdin(
          scorer,
          'scoring CVSS vectors',
          'Reading CVSS vectors from stdin, one per line (end with Ctrl-D).',
        );
      }
      const { lines, bad } = scorer.state;
      if (bad > 0) {
        throw new UserError(
          'invalid-cvss-vector',
          `${bad} of ${lines} input ${unit}s had an invalid CVSS vector; see the error ${json ? 'records' : 'lines'} in the output.`,
          'Each line must be one vector such as CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H.',
        );
      }
    });
}

/** Scores the vector on one line into its output line (undefined for a blank line); `lineNo` is 1-based. */
export function scoreLine(raw: string, lineNo: number, json: boolean, unit = 'line'): LineResult {
  const vector = raw.trim();
  if (vector === '') return undefined;
  const r = cvssBaseScore(vector);
  if (typeof r === 'string') {
    const out = json
      ? JSON.stringify({ [unit]: lineNo, vector, error: r })
      : `error: ${unit} ${lineNo}: invalid CVSS vector ${JSON.stringify(vector)}: ${r}`;
    return { out, ok: false };
  }
  const out = json
    ? JSON.stringify({ vector, version: r.version, score: r.score, severity: cvssSeverity(r.score) })
    : r.score.toFixed(1);
  return { out, ok: true };
}
