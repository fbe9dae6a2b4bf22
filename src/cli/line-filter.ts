import { once } from 'node:events';
import { progress } from './output.js';

/** What one input line produced: its output record, or nothing for a blank line. */
export type LineResult = { out: string; ok: boolean } | undefined;

/** How a line filter frames its output: one record per line, or one JSON array of records. */
export type LineFraming = 'lines' | 'json-array';

/**
 * Turns input lines into output text one batch at a time, counting lines (1-based, blank ones too) and
 * invalid ones. With `json-array` the records are wrapped in `[` … `]` and separated by commas.
 */
export function lineFilter(map: (raw: string, lineNo: number) => LineResult, framing: LineFraming = 'lines') {
  const json = framing === 'json-array';
  const state = { lines: 0, bad: 0, records: 0 };
  const run = (lines: readonly string[]): string => {
    let out = '';
    for (const l of lines) {
      const r = map(l, ++state.lines);
      if (!r) continue;
      if (!r.ok) state.bad++;
      out += (json && state.records++ > 0 ? ',\n' : '') + r.out + (json ? '' : '\n');
    }
    return out;
  };
  const open = () => (json ? '[\n' : '');
  const close = () => (json ? (state.records > 0 ? '\n' : '') + ']\n' : '');
  return { state, run, open, close };
}

export type LineFilter = ReturnType<typeof lineFilter>;

/** Writes to stdout, waiting while its buffer is full; false once the reader has gone (e.g. `| head`). */
export async function writeStdout(text: string): Promise<boolean> {
  if (text === '' || process.stdout.write(text)) return !process.stdout.destroyed;
  try {
    await once(process.stdout, 'drain');
    return true;
  } catch {
    return false;
  }
}

/**
 * Streams stdin through `filter` to stdout a chunk at a time, so a million lines never sit in memory at
 * once; stops quietly when the reader goes away. `prompt` is shown when stdin is a terminal.
 */
export async function filterStdin(filter: LineFilter, label: string, prompt: string): Promise<void> {
  const { stdin, stdout } = process;
  if (stdin.isTTY) process.stderr.write(`${prompt}\n`);
  stdout.on('error', () => stdin.destroy());
  const bar = progress(label);
  let rest = '';
  if (!(await writeStdout(filter.open()))) return;
  stdin.setEncoding('utf8');
  for await (const chunk of stdin as AsyncIterable<string>) {
    const lines = (rest + chunk).split('\n');
    rest = lines.pop() ?? '';
    if (!(await writeStdout(filter.run(lines)))) return;
    bar.update(filter.state.lines);
  }
  await writeStdout(filter.run(rest === '' ? [] : [rest]) + filter.close());
  bar.done();
}
