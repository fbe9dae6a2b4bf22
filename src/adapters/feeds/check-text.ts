import { constants } from 'node:buffer';
import { UserError } from '../../core/errors.js';
import { limitError, type FeedLimits } from './feed-limits.js';

const utf8 = new TextDecoder('utf-8', { fatal: true });

/**
 * Decodes a feed's bytes as UTF-8 (a leading BOM dropped). Feeds are UTF-8 by their specifications; a
 * file with bytes that are not is refused whole (like invalid JSON), never read with replacement characters.
 */
export function decodeUtf8(bytes: Uint8Array, where: string): string {
  // Past Node's longest string (~512 MiB) decoding would throw a RangeError: say so (a raised limit can get here).
  if (bytes.length > constants.MAX_STRING_LENGTH)
    throw new UserError(
      'feed-too-large',
      `${where}: ${bytes.length} bytes, more than one text patchwise can read (${constants.MAX_STRING_LENGTH} characters).`,
      'Keep PATCHWISE_LIMIT_FEED_ENTRY_BYTES below 512M; a genuine feed of this size is not supported.',
    );
  try {
    return utf8.decode(bytes);
  } catch (e) {
    throw new UserError(
      'feed-corrupt',
      `${where}: not valid UTF-8${at(firstInvalidUtf8(bytes), bytes.length)}.`,
      'Feeds are UTF-8; the file is damaged or not a feed. Download it again.',
      { cause: e },
    );
  }
}

function at(offset: number, length: number): string {
  return offset < length ? ` (byte ${offset})` : '';
}

/** Offset of the first byte that does not start a valid UTF-8 sequence. */
function firstInvalidUtf8(b: Uint8Array): number {
  for (let i = 0; i < b.length;) {
    const c = b[i]!;
    const n =
      c < 0x80 ? 0 : c >= 0xc2 && c < 0xe0 ? 1 : c >= 0xe0 && c < 0xf0 ? 2 : c >= 0xf0 && c < 0xf5 ? 3 : -1;
    if (n < 0) return i;
    for (let k = 1; k <= n; k++) if (((b[i + k] ?? 0) & 0xc0) !== 0x80) return i;
    i += n + 1;
  }
  return b.length;
}

/**
 * Refuses a JSON text nested deeper than the json-depth limit, in one pass over the text before it is
 * parsed (deep nesting overflows the stack of whatever walks the parsed value).
 */
export function checkJsonDepth(s: string, where: string, limits: FeedLimits): void {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (inString) {
      if (c === 0x5c) i++;
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) inString = true;
    else if (c === 0x7b || c === 0x5b) {
      if (++depth > limits.jsonDepth)
        throw limitError('jsonDepth', limits, where, 'the nesting of arrays and objects');
    } else if (c === 0x7d || c === 0x5d) depth--;
  }
}

/** Refuses a CSV text with a line longer than the line-length limit, naming the line. */
export function checkLineLength(s: string, where: string, limits: FeedLimits): void {
  let start = 0;
  for (let line = 1; start <= s.length; line++) {
    let end = s.indexOf('\n', start);
    if (end < 0) end = s.length;
    if (end - start > limits.lineLength)
      throw limitError(
        'lineLength',
        limits,
        `${where}: line ${line}`,
        `the line (${end - start} characters)`,
      );
    start = end + 1;
  }
}
