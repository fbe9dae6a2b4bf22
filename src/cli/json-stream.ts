/**
 * `JSON.stringify(value, null, 2) + '\n'`, written in pieces: a fleet's report (every finding with its
 * decision) can be longer than the longest string Node.js holds (about 512 MB), so objects and arrays are
 * walked and each leaf value is stringified on its own. The text is identical to the one-piece form.
 */
export function writeJson(value: unknown, write: (s: string) => void): void {
  const out = new ChunkedWriter(write);
  walk(value, '', out, '');
  out.push('\n');
  out.flush();
}

/** Pieces collected into about 1 MB writes. */
class ChunkedWriter {
  private buf = '';
  constructor(private readonly write: (s: string) => void) {}
  push(s: string): void {
    this.buf += s;
    if (this.buf.length > 1 << 20) this.flush();
  }
  flush(): void {
    if (this.buf) this.write(this.buf);
    this.buf = '';
  }
}

/** Objects and arrays this close to the top are walked; deeper values are stringified whole. */
const WALK_DEPTH = 2;

function walk(value: unknown, key: string, out: ChunkedWriter, pad: string, depth = 0): void {
  const v = prepare(value, key);
  if (depth >= WALK_DEPTH || v === null || typeof v !== 'object') {
    out.push(indent(JSON.stringify(v, null, 2), pad));
    return;
  }
  const inner = `${pad}  `;
  if (Array.isArray(v)) {
    if (v.length === 0) return out.push('[]');
    out.push('[\n');
    v.forEach((x, i) => {
      out.push(inner);
      const p = prepare(x, String(i));
      if (p === undefined || typeof p === 'function' || typeof p === 'symbol') out.push('null');
      else walk(p, String(i), out, inner, depth + 1);
      out.push(i < v.length - 1 ? ',\n' : '\n');
    });
    return out.push(`${pad}]`);
  }
  const entries: [string, unknown][] = [];
  for (const k of Object.keys(v)) {
    const x = prepare((v as Record<string, unknown>)[k], k);
    if (x !== undefined && typeof x !== 'function' && typeof x !== 'symbol') entries.push([k, x]);
  }
  if (entries.length === 0) return out.push('{}');
  out.push('{\n');
  entries.forEach(([k, x], i) => {
    out.push(`${inner}${JSON.stringify(k)}: `);
    walk(x, k, out, inner, depth + 1);
    out.push(i < entries.length - 1 ? ',\n' : '\n');
  });
  out.push(`${pad}}`);
}

/** What JSON.stringify serialises for `value` under `key`: the result of its toJSON, if it has one. */
function prepare(value: unknown, key: string): unknown {
  if (
    value !== null &&
    typeof value === 'object' &&
    typeof (value as { toJSON?: unknown }).toJSON === 'function'
  )
    return (value as { toJSON: (k: string) => unknown }).toJSON(key);
  return value;
}

function indent(text: string, pad: string): string {
  return pad ? text.replace(/\n/g, `\n${pad}`) : text;
}
