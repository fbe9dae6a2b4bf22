import { describe, expect, it } from 'vitest';
import { safeText } from './safe-text.js';

describe('safeText', () => {
  it.each([
    ['plain text, é and 日本 and 🎉', 'plain text, é and 日本 and 🎉'],
    ['\x1b]0;owned\x07title', '\\x1b]0;owned\\x07title'],
    ['red\x1b[31m', 'red\\x1b[31m'],
    ['tab\there', 'tab\\x09here'],
    ['new\nline\r', 'new\\x0aline\\x0d'],
    ['nul\0 del\x7f c1\x9b', 'nul\\x00 del\\x7f c1\\x9b'],
    ['bidi \u202egnp.exe', 'bidi \\u202egnp.exe'],
    ['lone \ud800 and \udc00', 'lone \\ud800 and \\udc00'],
    ['back\\slash', 'back\\slash'],
  ])('%j is printed as %j', (input, out) => {
    expect(safeText(input)).toBe(out);
    expect(safeText(safeText(input))).toBe(out);
  });
});
