/**
 * Alpine package version ordering, exactly as apk-tools does it (src/version.c of apk-tools 3, whose grammar
 * is `digit{.digit}...{letter}{_suffix{number}}...{~hash}{-r#}`): numbers compare numerically, except that a
 * later number with a leading zero compares as a string; the suffixes `_alpha`, `_beta`, `_pre`, `_rc` sort
 * before the bare version and `_cvs`, `_svn`, `_git`, `_hg`, `_p` after it; `-rN` is the package revision.
 */

/** Token kinds in the order apk-tools numbers them; the order matters to the comparison. */
const Tok = {
  InitialDigit: 0,
  Digit: 1,
  Letter: 2,
  Suffix: 3,
  SuffixNo: 4,
  CommitHash: 5,
  RevisionNo: 6,
  End: 7,
  Invalid: 8,
} as const;

/** Suffix ranks as apk-tools numbers them: pre-release suffixes below NONE (5), post-release above. */
const SUFFIX_RANK: Readonly<Record<string, number>> = {
  alpha: 1,
  beta: 2,
  pre: 3,
  rc: 4,
  cvs: 6,
  svn: 7,
  git: 8,
  hg: 9,
  p: 10,
};
const SUFFIX_NONE = 5;

/** One token of an apk version. */
export interface ApkToken {
  type: number;
  /** The token's text (digits without the `.`, the letter, the suffix name, the hash). */
  value: string;
  /** For numeric tokens: the value as apk's uint64 holds it, in decimal without leading zeros. */
  num: string;
  /** For suffix tokens: the suffix rank. */
  suffix: number;
}

/** A tokenized apk version; the last token is End (valid) or Invalid (where parsing stopped). */
export interface ApkVersion {
  raw: string;
  tokens: ApkToken[];
  /** Where tokenizing stopped: the string's length when valid, else the offset of the rejected part. */
  stop: number;
}

const MAX_U64_DIGITS = 19;

/** Decimal digits as apk's uint64 accumulator holds them (wrapping past 2^64, as C does). */
function uint64Digits(digits: string): string {
  const n = digits.replace(/^0+/, '');
  if (n.length <= MAX_U64_DIGITS) return n;
  const wrapped = BigInt.asUintN(64, BigInt(n)).toString();
  return wrapped === '0' ? '' : wrapped;
}

function isDigit(c: number): boolean {
  return c >= 48 && c <= 57;
}

function runEnd(s: string, i: number, test: (c: number) => boolean): number {
  while (i < s.length && test(s.charCodeAt(i))) i++;
  return i;
}

const isLower = (c: number): boolean => c >= 97 && c <= 122;
const isHex = (c: number): boolean => isDigit(c) || (c >= 97 && c <= 102);

function token(type: number, value = '', suffix = 0): ApkToken {
  const num =
    type === Tok.Letter || type === Tok.Suffix || type === Tok.CommitHash ? '' : uint64Digits(value);
  return { type, value, num, suffix };
}

/** Reads the token after `prev` starting at s[i]; returns it and where the next one starts. */
function nextToken(s: string, i: number, prev: number): [ApkToken, number] {
  if (i >= s.length) return [token(Tok.End), i];
  const c = s.charCodeAt(i);
  const invalid: [ApkToken, number] = [token(Tok.Invalid), i];
  if (isLower(c)) return prev > Tok.Digit ? invalid : [token(Tok.Letter, s[i]), i + 1];
  if (c === 46 /* . */ || isDigit(c)) {
    if (c === 46 && prev > Tok.Digit) return invalid;
    const start = c === 46 ? i + 1 : i;
    const type = prev <= Tok.Digit ? Tok.Digit : prev === Tok.Suffix ? Tok.SuffixNo : Tok.Invalid;
    const end = runEnd(s, start, isDigit);
    if (type === Tok.Invalid || end === start) return invalid;
    return [token(type, s.slice(start, end)), end];
  }
  if (c === 95 /* _ */) {
    if (prev > Tok.SuffixNo) return invalid;
    const end = runEnd(s, i + 1, isLower);
    const rank = SUFFIX_RANK[s.slice(i + 1, end)];
    return rank === undefined ? invalid : [token(Tok.Suffix, s.slice(i + 1, end), rank), end];
  }
  if (c === 126 /* ~ */) {
    if (prev >= Tok.CommitHash) return invalid;
    const end = runEnd(s, i + 1, isHex);
    return end === i + 1 ? invalid : [token(Tok.CommitHash, s.slice(i + 1, end)), end];
  }
  if (c === 45 /* - */ && prev < Tok.RevisionNo && s.charCodeAt(i + 1) === 114 /* r */) {
    const end = runEnd(s, i + 2, isDigit);
    return end === i + 2 ? invalid : [token(Tok.RevisionNo, s.slice(i + 2, end)), end];
  }
  return invalid;
}

/**
 * Tokenizes any string the way apk-tools reads a version, stopping at the first token apk rejects.
 * Use {@link parseApkVersion} to accept only valid versions.
 */
export function tokenizeApkVersion(s: string): ApkVersion {
  const tokens: ApkToken[] = [];
  let end = runEnd(s, 0, isDigit);
  let t = end === 0 ? token(Tok.Invalid) : token(Tok.InitialDigit, s.slice(0, end));
  tokens.push(t);
  while (t.type < Tok.End) {
    [t, end] = nextToken(s, end, t.type);
    tokens.push(t);
  }
  return { raw: s, tokens, stop: end };
}

/** Parses an apk version, or returns an error message (apk-tools' apk_version_validate() rules). */
export function parseApkVersion(input: string): ApkVersion | string {
  if (input.length === 0) return 'version string is empty';
  const v = tokenizeApkVersion(input);
  if (v.tokens[v.tokens.length - 1]!.type === Tok.End) return v;
  if (v.stop === 0) return 'version does not start with a digit';
  return `invalid from "${input.slice(v.stop)}" (expected digit{.digit}...{letter}{_suffix{N}}...{~hash}{-rN})`;
}

function compareStrings(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function compareNum(a: string, b: string): number {
  if (a.length !== b.length) return a.length < b.length ? -1 : 1;
  return compareStrings(a, b);
}

/** apk's token_cmp() for two tokens of the same kind. */
function compareToken(a: ApkToken, b: ApkToken): number {
  switch (a.type) {
    case Tok.Digit:
      // A leading zero on either side makes apk compare the digits as strings (as Gentoo does).
      if (a.value.charCodeAt(0) === 48 || b.value.charCodeAt(0) === 48)
        return compareStrings(a.value, b.value);
      return compareNum(a.num, b.num);
    case Tok.InitialDigit:
    case Tok.SuffixNo:
    case Tok.RevisionNo:
      return compareNum(a.num, b.num);
    case Tok.Suffix:
      return Math.sign(a.suffix - b.suffix);
    default:
      return compareStrings(a.value, b.value);
  }
}

/**
 * apk-tools' version comparison on tokenized versions: -1, 0 or 1. With `fuzzy`, `a` equals `b` when `b` is
 * a prefix of it (apk's `~` operator: `3.6.9 ~ 3.6`).
 */
export function compareParsedApk(a: ApkVersion, b: ApkVersion, fuzzy = false): -1 | 0 | 1 {
  const at = a.tokens;
  const bt = b.tokens;
  let k = 0;
  for (; at[k]!.type === bt[k]!.type && at[k]!.type < Tok.End; k++) {
    const r = compareToken(at[k]!, bt[k]!);
    if (r !== 0) return r < 0 ? -1 : 1;
  }
  const ta = at[k]!;
  const tb = bt[k]!;
  if (ta.type === tb.type) return 0;
  if (tb.type === Tok.End && fuzzy) return 0;
  // Equal so far: the longer version is newer unless what follows is a pre-release suffix.
  if (ta.type === Tok.Suffix && ta.suffix < SUFFIX_NONE) return -1;
  if (tb.type === Tok.Suffix && tb.suffix < SUFFIX_NONE) return 1;
  if (ta.type > tb.type) return -1;
  if (tb.type > ta.type) return 1;
  return 0;
}

/** Compares two apk version strings and returns -1, 0 or 1. Throws on an invalid one; validate untrusted input first. */
export function compareApkVersions(a: string, b: string): -1 | 0 | 1 {
  const pa = parseApkVersion(a);
  const pb = parseApkVersion(b);
  if (typeof pa === 'string') throw new Error(`invalid apk version ${JSON.stringify(a)}: ${pa}`);
  if (typeof pb === 'string') throw new Error(`invalid apk version ${JSON.stringify(b)}: ${pb}`);
  return compareParsedApk(pa, pb);
}
