/*
 * C0 controls, DEL, C1 controls, and the Unicode marks that reorder or hide text on a terminal
 * (bidirectional overrides and isolates, zero-width and line/paragraph separators).
 */
// eslint-disable-next-line no-control-regex -- finding control characters is the point
const UNSAFE = /[\u0000-\u001f\u007f-\u009f\u200b-\u200f\u2028-\u202e\u2066-\u2069\ufeff]/g;

/**
 * Text from outside (feeds, hosts, configs, users) made safe to print on a terminal: every control
 * character is shown escaped (`\x1b`, `\x0a`, `\u202e`), so an escape sequence in a feed can neither
 * recolour, move the cursor, retitle the window nor hide text. Printable text, backslashes included,
 * is left as it is, so escaping twice changes nothing.
 */
export function safeText(s: string): string {
  return s.replace(UNSAFE, (c) => {
    const n = c.charCodeAt(0);
    return n <= 0xff ? `\\x${n.toString(16).padStart(2, '0')}` : `\\u${n.toString(16).padStart(4, '0')}`;
  });
}
