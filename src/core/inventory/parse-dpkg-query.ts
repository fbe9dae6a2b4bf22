import { shareRecord, type InstalledPackage } from './host-state.js';
import {
  PackageChecker,
  excerpt,
  IssueLog,
  lineProblem,
  MAX_LINE,
  type PackageListResult,
} from './parse-dpkg-status.js';

/**
 * The `dpkg-query -W -f` format the collectors run: one tab-separated line per package, the source name
 * and version resolved by dpkg (they equal the binary's own when the package has no `Source` field).
 */
export const DPKG_QUERY_FORMAT =
  '${Package}\\t${Version}\\t${source:Package}\\t${source:Version}\\t${Architecture}\\t${db:Status-Abbrev}\\n';

/** The argument vector that produces {@link parseDpkgQuery}'s input. */
export const DPKG_QUERY_ARGV = ['dpkg-query', '-W', '-f', DPKG_QUERY_FORMAT] as const;

/**
 * Parses the output of {@link DPKG_QUERY_ARGV} into the installed packages: lines whose status
 * abbreviation says installed (second letter `i`: `ii`, `hi`, `ri`, `pi`). Lines that are too long,
 * carry binary bytes, have the wrong number of fields or fail the Debian grammar become issues; this
 * function never throws on its input.
 *
 * The output is read as bytes (a string is encoded first). Fleets repeat the same package lines, so
 * each distinct line is judged once (checked, or found wanting) and recognised again by its hash and a
 * byte comparison: a repeated line is not checked again, because its bytes are those of a line that was.
 * The returned records are frozen and shared between every host (and call) that lists the same line.
 *
 * Lines are read in chunks, each in passes: find the lines and hash them, probe the table for each,
 * compare each candidate's bytes, then collect. In a fleet-sized table nearly every probe is a cache
 * miss; the loads of one line do not wait on another's within a pass, so the processor overlaps them.
 */
export function parseDpkgQuery(
  input: string | Uint8Array,
  source = 'dpkg-query',
  parser: DpkgQueryParser = new DpkgQueryParser(DpkgQueryParser.SMALL),
): PackageListResult {
  return parser.parse(input, source);
}

/**
 * The state {@link parseDpkgQuery} keeps between calls: the table of distinct lines seen (each judged
 * once) and the scratch buffers of one chunk. The caller creates one per fleet run (or worker thread),
 * feeds it every host, and drops it with the run: nothing of it lives at module level, so a long-running
 * process does not grow. Records it hands out are shared between the hosts it parsed.
 */
export class DpkgQueryParser {
  /** Table size (log2 of the slots) for a one-off parse: room for 2,048 distinct lines before a reset. */
  static readonly SMALL = 12;
  /** Table size for a fleet: 65,536 distinct lines before a reset. */
  static readonly FLEET = 17;
  private readonly table: LineTable;
  /** Judges each new line: its memos of names, versions and architectures live as long as this parser. */
  private readonly checker = new PackageChecker();
  private readonly chunk = newChunk();
  /** Records collect in a reused array, copied once per host (a fresh array would grow nine times). */
  private readonly scratch: PackageListResult['packages'] = [];

  constructor(bits: number = DpkgQueryParser.FLEET) {
    this.table = new LineTable(bits);
  }

  /** {@link parseDpkgQuery} through this parser's table. */
  parse(input: string | Uint8Array, source = 'dpkg-query'): PackageListResult {
    const bytes = typeof input === 'string' ? encoder.encode(input) : input;
    const log = new IssueLog(source);
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    const { table, scratch } = this;
    const b = this.chunk;
    const { starts, ends, hashes, lines, found } = b;
    let count = 0;
    let lineNo = 0;
    for (let from = 0; from < bytes.length;) {
      // Pass 1: up to CHUNK lines, with their hashes.
      let n = 0;
      while (from < bytes.length && n < CHUNK) {
        const end = lineEnd(view, bytes, from, b);
        lineNo++;
        if (end > from) {
          starts[n] = from;
          ends[n] = end;
          hashes[n] = b.hash;
          lines[n] = lineNo;
          n++;
        }
        from = end + 1;
      }
      table.reserve(n);
      // Pass 2: the first slot whose hash and length match (a candidate), or -1 when the line is new.
      for (let k = 0; k < n; k++) found[k] = table.candidate(hashes[k]!, ends[k]! - starts[k]!);
      // Pass 3: the candidate's bytes compared; new lines (and collisions) judged and added.
      for (let k = 0; k < n; k++) {
        const start = starts[k]!;
        const slot = found[k]!;
        let id = slot >= 0 ? table.idIfSame(slot, view, bytes, start) : 0;
        if (id === 0) {
          const end = ends[k]!;
          id = table.get(view, bytes, start, end, hashes[k]!);
          if (id === 0) {
            const verdict = judge(bytes, start, end, this.checker);
            // An overlong line is judged each time it comes: the table keeps lines of a sane length.
            id =
              end - start <= MAX_LINE
                ? table.add(bytes, start, end, hashes[k]!, verdict)
                : table.once(verdict);
          }
        }
        found[k] = id;
      }
      // Pass 4: the records, and the issues in line order.
      for (let k = 0; k < n; k++) {
        const id = found[k]!;
        if (id > 0) scratch[count++] = table.record(id);
        else {
          const problem = table.problem(id);
          if (problem !== null) log.add(problem, lines[k]);
        }
      }
      table.forgetOnce();
    }
    if (isBlank(bytes)) log.add('input is empty: no packages');
    const packages = scratch.slice(0, count);
    // Past a large host the scratch keeps no records alive longer than the table does.
    if (scratch.length > 4 * CHUNK) scratch.length = 0;
    return { packages, issues: log.finish() };
  }
}

/** Lines per chunk: a host's whole output, usually. */
const CHUNK = 8192;

/** Per line of the chunk being read: where it starts and ends, its hash and its number. */
interface Chunk {
  starts: Int32Array;
  ends: Int32Array;
  hashes: Int32Array;
  lines: Int32Array;
  /** A candidate slot, then the entry id. */
  found: Int32Array;
  /** The hash of the line {@link lineEnd} found last. */
  hash: number;
}

function newChunk(): Chunk {
  return {
    starts: new Int32Array(CHUNK),
    ends: new Int32Array(CHUNK),
    hashes: new Int32Array(CHUNK),
    lines: new Int32Array(CHUNK),
    found: new Int32Array(CHUNK),
    hash: 0,
  };
}

const encoder = new TextEncoder();
const decoder = new TextDecoder();

const C1 = 0xcc9e2d51;
const C2 = 0x1b873593;

/**
 * The end (newline or end of input) of the line starting at `from`, with its MurmurHash3 in
 * `chunk.hash`. Four bytes at a time: a word holding a newline byte is found by the "has zero byte"
 * test on the word XOR 0x0a0a0a0a, whose lowest flagged byte is exact.
 */
function lineEnd(view: DataView, bytes: Uint8Array, from: number, chunk: Chunk): number {
  const len = bytes.length;
  let h = 0;
  let i = from;
  for (; i + 4 <= len; i += 4) {
    const w = view.getInt32(i, true);
    const x = w ^ 0x0a0a0a0a;
    const z = (x - 0x01010101) & ~x & 0x80808080;
    if (z !== 0) {
      const at = (31 - Math.clz32(z & -z)) >> 3;
      if (at > 0) h ^= mixWord(w & ((1 << (8 * at)) - 1));
      chunk.hash = finish(h, i + at - from);
      return i + at;
    }
    h = mixHash(h, mixWord(w));
  }
  let w = 0;
  let shift = 0;
  for (; i < len && bytes[i] !== 10; i++, shift += 8) w |= bytes[i]! << shift;
  if (shift > 0) h ^= mixWord(w);
  chunk.hash = finish(h, i - from);
  return i;
}

function mixWord(w: number): number {
  const k = Math.imul(w, C1);
  return Math.imul((k << 15) | (k >>> 17), C2);
}

function mixHash(h: number, k: number): number {
  h ^= k;
  h = (h << 13) | (h >>> 19);
  return (Math.imul(h, 5) + 0xe6546b64) | 0;
}

function finish(h: number, len: number): number {
  h ^= len;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  return h ^ (h >>> 16);
}

function isBlank(bytes: Uint8Array): boolean {
  for (const b of bytes) if (b !== 32 && b !== 10 && b !== 9 && b !== 13) return false;
  return true;
}

/**
 * What one line amounts to: its shared record, the issue it raises (a message), or null for a package
 * that is not installed. Plain ASCII lines with six fields are checked from the bytes; anything else
 * takes the general path, which says what is wrong.
 */
type Verdict = Readonly<InstalledPackage> | string | null;

function judge(bytes: Uint8Array, from: number, end: number, checker: PackageChecker): Verdict {
  const fields = end - from > MAX_LINE ? -1 : scanLine(bytes, from, tabs);
  if (fields !== 5) return judgeText(decoder.decode(bytes.subarray(from, end)), checker);
  const t4 = tabs[4]!;
  if (t4 + 2 >= end || bytes[t4 + 2] !== 105 /* i */) return null;
  const checked = checker.check({
    name: ascii(bytes, from, tabs[0]!),
    version: ascii(bytes, tabs[0]! + 1, tabs[1]!),
    source: ascii(bytes, tabs[1]! + 1, tabs[2]!),
    sourceVersion: ascii(bytes, tabs[2]! + 1, tabs[3]!),
    arch: ascii(bytes, tabs[3]! + 1, t4),
  });
  return typeof checked === 'string' ? `${checked}; skipped` : shared(checked);
}

/** The general path for one line, with the issue messages of every kind of bad line. */
function judgeText(line: string, checker: PackageChecker): Verdict {
  const problem = lineProblem(line);
  if (problem) return problem;
  const fields = line.split('\t');
  if (fields.length !== 6)
    return `expected 6 tab-separated fields, got ${fields.length}: ${excerpt(line)}; skipped`;
  const [name = '', version = '', src = '', srcVersion = '', arch = '', status = ''] = fields;
  if (status.charCodeAt(1) !== 105 /* i */) return null;
  const checked = checker.check({ name, version, source: src, sourceVersion: srcVersion, arch });
  return typeof checked === 'string' ? `${checked}; skipped` : shared(checked);
}

/** A checked record, numbered (see SHARED_RECORD_ID) and frozen: from now on every host's line. */
const shared = (p: InstalledPackage): Readonly<InstalledPackage> => shareRecord(p);

function ascii(bytes: Uint8Array, from: number, to: number): string {
  return String.fromCharCode.apply(null, bytes.subarray(from, to) as unknown as number[]);
}

/** The first five tab positions of the line {@link scanLine} read last. */
const tabs = new Int32Array(5);

/**
 * One pass over a new line starting at `from`: records its first five tab positions in `tabs` and
 * returns the number of tabs, or -1 when the line holds a byte that needs the general path (a control
 * byte, DEL, or any non-ASCII byte).
 */
function scanLine(bytes: Uint8Array, from: number, tabs: Int32Array): number {
  const len = bytes.length;
  let n = 0;
  let bad = false;
  for (let i = from; i < len; i++) {
    const c = bytes[i]!;
    if (c < 32) {
      if (c === 10) break;
      if (c !== 9) bad = true;
      else if (n < 5) tabs[n++] = i;
      else n++;
    } else if (c > 126) bad = true;
  }
  return bad ? -1 : n;
}

/**
 * The verdict on each distinct line seen, keyed by the line's bytes: an open-addressing table probed with
 * the line's hash and compared in place, so a repeated line costs no allocation. A slot holds the hash,
 * the entry id and where the key's bytes sit in `arena`, so a probe reads one cache line. Keys start at
 * multiples of four in `arena` and compare four bytes at a time. Cleared when half full, which only costs
 * judging lines again.
 */
class LineTable {
  /** The largest table (log2 of its slots); past half of it the table is cleared. */
  private static readonly MAX_BITS = 17;
  private bits: number;
  private mask: number;
  /** Entries held before the table grows (or, at its largest, is cleared): half its slots, so probes stay short. */
  private limit: number;
  /** Per slot: hash, entry id (0: empty; > 0 a record, < 0 a problem), key offset in `arena`, key length. */
  private slots: Int32Array;
  private arena: Uint8Array;
  /** `arena` read four bytes at a time, in the platform's byte order. */
  private words: Int32Array;
  private used = 0;
  private records: Readonly<InstalledPackage>[] = [];
  /** Issue messages, or null for a line that is skipped without one (a package not installed). */
  private problems: (string | null)[] = [];
  /** Verdicts on lines too long to keep, for the chunk being read (ids past the kept problems). */
  private onceRecords: Readonly<InstalledPackage>[] = [];
  private onceProblems: (string | null)[] = [];

  /** A table of 2^`bits` slots (at least enough for one chunk), growing to 2^17. */
  constructor(bits: number) {
    this.bits = Math.min(LineTable.MAX_BITS, Math.max(bits, Math.log2(CHUNK) + 1));
    this.mask = (1 << this.bits) - 1;
    this.limit = 1 << (this.bits - 1);
    this.slots = new Int32Array(4 << this.bits);
    this.arena = new Uint8Array(16 << this.bits);
    this.words = new Int32Array(this.arena.buffer);
  }

  /** The entry id of the line `bytes[from, to)` with this hash, or 0 when the table does not know it. */
  get(view: DataView, bytes: Uint8Array, from: number, to: number, hash: number): number {
    const slots = this.slots;
    const len = to - from;
    for (let i = hash & this.mask; ; i = (i + 1) & this.mask) {
      const at = 4 * i;
      const id = slots[at + 1]!;
      if (id === 0) return 0;
      if (slots[at] === hash && slots[at + 3] === len && this.same(view, bytes, from, slots[at + 2]!, len))
        return id;
    }
  }

  /**
   * The first slot whose hash and key length match, or -1 when the probe meets an empty slot first: the
   * line is new, unless its bytes differ from the candidate's (then {@link get} goes on probing).
   */
  candidate(hash: number, len: number): number {
    const slots = this.slots;
    for (let i = hash & this.mask; ; i = (i + 1) & this.mask) {
      const at = 4 * i;
      if (slots[at + 1] === 0) return -1;
      if (slots[at] === hash && slots[at + 3] === len) return i;
    }
  }

  /**
   * The entry id in `slot` when its key equals the bytes at `from` (of the slot's length), else 0.
   * `view` reads `bytes` (see {@link same}).
   */
  idIfSame(slot: number, view: DataView, bytes: Uint8Array, from: number): number {
    const at = 4 * slot;
    const slots = this.slots;
    return this.same(view, bytes, from, slots[at + 2]!, slots[at + 3]!) ? slots[at + 1]! : 0;
  }

  /**
   * Makes room for `n` more entries (`n` is at most a chunk): the table doubles while it can, and at its
   * largest is cleared, which only costs judging lines again.
   */
  reserve(n: number): void {
    const held = this.records.length + this.problems.length;
    if (held + n <= this.limit) return;
    if (this.bits < LineTable.MAX_BITS) return this.grow();
    this.slots.fill(0);
    this.records = [];
    this.problems = [];
    this.used = 0;
  }

  /** Twice the slots, every entry placed again by its hash. */
  private grow(): void {
    const old = this.slots;
    this.bits++;
    this.mask = (1 << this.bits) - 1;
    this.limit = 1 << (this.bits - 1);
    this.slots = new Int32Array(4 << this.bits);
    for (let at = 0; at < old.length; at += 4) {
      if (old[at + 1] === 0) continue;
      let i = old[at]! & this.mask;
      while (this.slots[4 * i + 1] !== 0) i = (i + 1) & this.mask;
      this.slots.set(old.subarray(at, at + 4), 4 * i);
    }
  }

  record(id: number): Readonly<InstalledPackage> {
    return id < LineTable.ONCE ? this.records[id - 1]! : this.onceRecords[id - LineTable.ONCE]!;
  }

  problem(id: number): string | null {
    return -id < LineTable.ONCE ? this.problems[-id - 1]! : this.onceProblems[-id - LineTable.ONCE]!;
  }

  /**
   * Whether the `len` bytes at `from` equal the key at `at`: four bytes at a time (`view` reads the
   * input at any offset, in the platform's byte order like `words`), then the last one to three.
   */
  private same(view: DataView, bytes: Uint8Array, from: number, at: number, len: number): boolean {
    const words = this.words;
    const first = at >> 2;
    const whole = len >> 2;
    for (let j = 0; j < whole; j++)
      if (view.getInt32(from + 4 * j, LITTLE_ENDIAN) !== words[first + j]) return false;
    const arena = this.arena;
    for (let j = whole * 4; j < len; j++) if (bytes[from + j] !== arena[at + j]) return false;
    return true;
  }

  /** Adds the line `bytes[from, to)` with its verdict; returns its entry id. Room was made by {@link reserve}. */
  add(bytes: Uint8Array, from: number, to: number, hash: number, verdict: Verdict): number {
    const len = to - from;
    if (this.used + len + 4 > this.arena.length) {
      const grown = new Uint8Array((Math.max(this.arena.length * 2, this.used + len + 4) + 3) & ~3);
      grown.set(this.arena.subarray(0, this.used));
      this.arena = grown;
      this.words = new Int32Array(grown.buffer);
    }
    const id =
      verdict !== null && typeof verdict === 'object'
        ? this.records.push(verdict)
        : -this.problems.push(verdict);
    let i = hash & this.mask;
    while (this.slots[4 * i + 1] !== 0) i = (i + 1) & this.mask;
    const at = 4 * i;
    this.slots[at] = hash;
    this.slots[at + 1] = id;
    this.slots[at + 2] = this.used;
    this.slots[at + 3] = len;
    this.arena.set(bytes.subarray(from, to), this.used);
    this.used += (len + 3) & ~3;
    return id;
  }

  /** An entry id for a verdict that is not kept, valid until {@link forgetOnce}: past every kept id. */
  once(verdict: Verdict): number {
    if (verdict !== null && typeof verdict === 'object')
      return LineTable.ONCE + this.onceRecords.push(verdict) - 1;
    return -(LineTable.ONCE + this.onceProblems.push(verdict) - 1);
  }

  /** The first id (and the negated first problem id) of verdicts not kept. */
  private static readonly ONCE = 1 << 30;

  forgetOnce(): void {
    if (this.onceRecords.length > 0) this.onceRecords = [];
    if (this.onceProblems.length > 0) this.onceProblems = [];
  }
}

const LITTLE_ENDIAN = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1;
