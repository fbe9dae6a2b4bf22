import { describe, expect, it } from 'vitest';
import { safeText } from './safe-text.js';

describe('safeText', () => {
  it.each([
    ['CVE-2024-0001', 'CVE-2024-0001'],
    ['\x1b[31mred\x1b[0m', '\\x1b[31mred\\x1b[0m'],
    ['a\nb\tc\rd', 'a\\x0ab\\x09c\\x0dd'],
    ['\x07\x7f\x9b', '\\x07\\x7f\\x9b'],
    ['evil\u202etxt.json', 'evil\\u202etxt.json'],
    ['C:\\path é 漢字', 'C:\\path é 漢字'],
  ])('%j → %j', (input, out) => {
    expect(safeText(input)).toBe(out);
    expect(safeText(safeText(input))).toBe(out);
  });
});
