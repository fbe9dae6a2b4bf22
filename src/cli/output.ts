import { writeJson } from './json-stream.js';
import { safeText } from './safe-text.js';

/**
 * Prints records as JSON, one document, to stdout: `JSON.stringify(value, null, 2)`, written in pieces
 * so a whole fleet's report need not fit in one string (see {@link writeJson}).
 */
export function printJson(value: unknown): void {
  writeJson(value, (text) => process.stdout.write(text));
}

/** A column of a text table: header and how to get the cell from a row. */
export interface Column<T> {
  header: string;
  get: (row: T) => string | number | undefined | null;
  align?: 'left' | 'right';
  /** Longest the cell may be; longer text is cut with an ellipsis. */
  max?: number;
}

/**
 * Formats rows as an aligned text table (no colours, so it pipes cleanly). Every cell is printed with its
 * control characters escaped (tabs and newlines too, so a cell can neither break the alignment nor the row).
 */
export function formatTable<T>(rows: readonly T[], columns: readonly Column<T>[]): string {
  const cells = rows.map((r) =>
    columns.map((c) => {
      const v = c.get(r);
      const s = v === undefined || v === null ? '' : safeText(String(v));
      return c.max && s.length > c.max ? s.slice(0, c.max - 1) + '…' : s;
    }),
  );
  const widths = columns.map((c, i) => Math.max(c.header.length, ...cells.map((row) => row[i]!.length)));
  const line = (vals: string[]) =>
    vals
      .map((v, i) => (columns[i]!.align === 'right' ? v.padStart(widths[i]!) : v.padEnd(widths[i]!)))
      .join('  ')
      .trimEnd();
  return [line(columns.map((c) => c.header)), ...cells.map(line)].join('\n') + '\n';
}

/**
 * Text composed of lines, some of it from outside, made safe for a terminal: each line's control
 * characters are escaped (see {@link safeText}), the line breaks between them kept.
 */
export function safeLines(text: string): string {
  return text.split('\n').map(safeText).join('\n');
}

/** Prints a table to stdout. */
export function printTable<T>(rows: readonly T[], columns: readonly Column<T>[]): void {
  process.stdout.write(formatTable(rows, columns));
}

/**
 * Progress for long work, shown on stderr only when it is a terminal, so pipes and CI logs stay clean.
 * `update` redraws one line; `done` clears it.
 */
export function progress(label: string, stream: NodeJS.WriteStream = process.stderr) {
  const tty = Boolean(stream.isTTY) && !process.env.CI;
  let last = 0;
  return {
    update(done: number, total?: number, detail = '') {
      if (!tty) return;
      const now = Date.now();
      if (now - last < 80 && done !== total) return;
      last = now;
      const pct = total ? ` ${Math.floor((done / total) * 100)}%` : '';
      const text = `${label}: ${done}${total ? `/${total}` : ''}${pct} ${detail}`.slice(
        0,
        (stream.columns ?? 80) - 1,
      );
      stream.write(`\r\x1b[2K${text}`);
    },
    done() {
      if (tty) stream.write('\r\x1b[2K');
    },
  };
}
