import { SHARED_RECORD_ID, type InstalledPackage } from './host-state.js';
import {
  checkPackage,
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
 * The output is read as bytes (a string is encoded first): fleets repeat the same package lines, so
 * each distinct line is checked once and recognised again by its hash and a byte comparison. The
 * returned records are frozen and shared between every host (and call) that lists the same line.
 */
export function parseDpkgQuery(input: string | Uint8Array, source = 'dpkg-query'): PackageListResult {
  const bytes = typeof input === 'string' ? encoder.encode(input) : input;
  const log = new IssueLog(source);
  const count = readBatch(bytes, log) ?? readLineByLine(bytes, log);
  if (isBlank(bytes)) log.add('input is empty: no packages');
  return { packages: scratch.slice(0, count), issues: log.finish() };
}

/**
 * Records collect in a reused array, copied once at the end: a host's 1,000 lines would otherwise grow a
 * fresh array nine times. (Entries left past the count are records the table keeps anyway.)
 */
const scratch: PackageListResult['packages'] = [];

/**
 * The common case, every line plain ASCII with six fields, in passes over the whole input: find the
 * lines, probe the table for each, compare each candidate's bytes, then collect the records. Each pass
 * reads memory that the previous passes already located, and its loads do not depend on one another, so
 * the processor keeps several cache misses in flight instead of waiting on each in turn; in a fleet-sized
 * table nearly every probe is a miss. Returns the number of records in `scratch`, or undefined when a
 * line needs the general path (or there are more lines than the table holds), leaving `log` untouched.
 */
function readBatch(bytes: Uint8Array, log: IssueLog): number | undefined {
  const scan = lineScan;
  const table = lineTable;
  const b = batch;
  let n = 0;
  let lineNo = 0;
  for (let from = 0; from < bytes.length;) {
    const fields = scanLine(bytes, from, scan);
    const end = scan.end;
    lineNo++;
    const start = from;
    from = end + 1;
    if (end === start) continue;
    if (fields !== 5 || end - start > MAX_LINE) return undefined;
    const t4 = scan.tabs[4]!;
    if (t4 + 2 >= end || bytes[t4 + 2] !== 105 /* i */) continue;
    if (n === b.capacity && !b.grow()) return undefined;
    b.starts[n] = start;
    b.ends[n] = t4;
    b.hashes[n] = scan.hash;
    b.lines[n] = lineNo;
    n++;
  }
  table.reserve(n);
  const { starts, ends, hashes, found } = b;
  const view = viewOf(bytes);
  for (let k = 0; k < n; k++) found[k] = table.candidate(hashes[k]!, ends[k]! - starts[k]!);
  for (let k = 0; k < n; k++) {
    const start = starts[k]!;
    const slot = found[k]!;
    let id = slot >= 0 ? table.idIfSame(slot, view, bytes, start) : 0;
    if (id === 0) {
      // New to the table, or a hash collision: the one-line path, with the tabs found again.
      scanLine(bytes, start, scan);
      id = table.get(view, bytes, start, ends[k]!, hashes[k]!);
      if (id === 0) id = table.add(bytes, start, scan, checkFields(bytes, start, scan.tabs));
    }
    found[k] = id;
  }
  let count = 0;
  for (let k = 0; k < n; k++) {
    const id = found[k]!;
    if (id > 0) scratch[count++] = table.record(id);
    else log.add(`${table.problem(id)}; skipped`, b.lines[k]);
  }
  return count;
}

/** Any input, one line at a time: bad lines go to the general path, which says what is wrong. */
function readLineByLine(bytes: Uint8Array, log: IssueLog): number {
  const found = scratch;
  let count = 0;
  const scan = lineScan;
  const tabs = scan.tabs;
  const table = lineTable;
  const view = viewOf(bytes);
  let lineNo = 0;
  for (let from = 0; from < bytes.length;) {
    const fields = scanLine(bytes, from, scan);
    const end = scan.end;
    lineNo++;
    const start = from;
    from = end + 1;
    if (end === start) continue;
    if (fields !== 5 || end - start > MAX_LINE) {
      // Too long, control or non-ASCII bytes, or the wrong number of fields: the general path says which.
      const p = readLine(decoder.decode(bytes.subarray(start, end)), lineNo, log);
      if (p) found[count++] = p;
      continue;
    }
    const t4 = tabs[4]!;
    if (t4 + 2 >= end || bytes[t4 + 2] !== 105 /* i */) continue;
    // An entry id: positive for a record, negative for a problem. The record itself is not read here:
    // in a large heap a record is a cache and TLB miss of its own.
    let id = table.get(view, bytes, start, t4, scan.hash);
    if (id === 0) {
      table.reserve(1);
      id = table.add(bytes, start, scan, checkFields(bytes, start, tabs));
    }
    if (id > 0) found[count++] = table.record(id);
    else log.add(`${table.problem(id)}; skipped`, lineNo);
  }
  return count;
}

/** Per line of the input being read in batch: where its key starts and ends, its hash and line number. */
class LineBatch {
  capacity = 4096;
  starts = new Int32Array(this.capacity);
  ends = new Int32Array(this.capacity);
  hashes = new Int32Array(this.capacity);
  lines = new Int32Array(this.capacity);
  /** A candidate slot, then the entry id. */
  found = new Int32Array(this.capacity);

  /** Doubles the room, up to what the line table holds at once; false past that. */
  grow(): boolean {
    if (this.capacity >= LineTable.LIMIT) return false;
    this.capacity *= 2;
    const bigger = (a: Int32Array) => {
      const out = new Int32Array(this.capacity);
      out.set(a);
      return out;
    };
    this.starts = bigger(this.starts);
    this.ends = bigger(this.ends);
    this.hashes = bigger(this.hashes);
    this.lines = bigger(this.lines);
    this.found = new Int32Array(this.capacity);
    return true;
  }
}

const batch = new LineBatch();

const viewOf = (bytes: Uint8Array) => new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);

const encoder = new TextEncoder();
const decoder = new TextDecoder();

function isBlank(bytes: Uint8Array): boolean {
  for (const b of bytes) if (b !== 32 && b !== 10 && b !== 9 && b !== 13) return false;
  return true;
}

/** {@link checkPackage} of the five fields before the status (plain ASCII: {@link scanLine} made sure). */
function checkFields(bytes: Uint8Array, from: number, tabs: Int32Array): Readonly<InstalledPackage> | string {
  const t0 = tabs[0]!;
  const t1 = tabs[1]!;
  const t2 = tabs[2]!;
  const t3 = tabs[3]!;
  const checked = checkPackage({
    name: ascii(bytes, from, t0),
    version: ascii(bytes, t0 + 1, t1),
    source: ascii(bytes, t1 + 1, t2),
    sourceVersion: ascii(bytes, t2 + 1, t3),
    arch: ascii(bytes, t3 + 1, tabs[4]!),
  });
  if (typeof checked === 'string') return checked;
  Object.defineProperty(checked, SHARED_RECORD_ID, { value: nextSharedId++ });
  return Object.freeze(checked);
}

/** Ids of shared records: never reused, so what a matcher remembers by id never goes stale. */
let nextSharedId = 0;

function ascii(bytes: Uint8Array, from: number, to: number): string {
  return String.fromCharCode.apply(null, bytes.subarray(from, to) as unknown as number[]);
}

/** What {@link scanLine} learns about one line. */
interface LineScan {
  /** Index of the line's newline (or the input's length). */
  end: number;
  /** The first five tab positions. */
  tabs: Int32Array;
  /** FNV-1a hash of the bytes before the fifth tab. */
  hash: number;
}

const lineScan: LineScan = { end: 0, tabs: new Int32Array(5), hash: 0 };

/**
 * One pass over the line starting at `from`: finds its end, records the first five tab positions and
 * the hash of the five fields in `scan`, and returns the number of tabs, or -1 when the line holds a
 * byte that needs the general path (a control byte, DEL, or any non-ASCII byte).
 */
function scanLine(bytes: Uint8Array, from: number, scan: LineScan): number {
  const tabs = scan.tabs;
  const len = bytes.length;
  let h = 0x811c9dc5;
  let n = 0;
  let bad = false;
  let i = from;
  // The five fields before the status: hashed.
  for (; i < len; i++) {
    const c = bytes[i]!;
    if (c < 32) {
      if (c === 10) break;
      if (c !== 9) bad = true;
      else {
        tabs[n++] = i;
        if (n === 5) break;
      }
    } else if (c > 126) bad = true;
    h = Math.imul(h ^ c, 0x01000193);
  }
  scan.hash = h;
  // The status and anything after it: checked only.
  if (n === 5) {
    for (i++; i < len; i++) {
      const c = bytes[i]!;
      if (c < 32) {
        if (c === 10) break;
        if (c === 9) n++;
        else bad = true;
      } else if (c > 126) bad = true;
    }
  }
  scan.end = i;
  return bad ? -1 : n;
}

/**
 * The checked record (or the problem) of each distinct line seen, keyed by the bytes before the status
 * field: an open-addressing table probed with the line's hash and compared in place, so a repeated line
 * costs no allocation. A slot holds the hash, the entry id and where the key's bytes sit in `arena`, so
 * a probe reads one cache line. Keys start at multiples of four in `arena` and compare four bytes at a
 * time. Cleared when half full, which only costs re-checking.
 */
class LineTable {
  private static readonly BITS = 17;
  private static readonly MASK = (1 << LineTable.BITS) - 1;
  /** Entries held before the table is cleared: half its slots, so probes stay short. */
  static readonly LIMIT = 1 << (LineTable.BITS - 1);
  /** Per slot: hash, entry id (0: empty; > 0 a record, < 0 a problem), key offset in `arena`, key length. */
  private slots = new Int32Array(4 << LineTable.BITS);
  private arena = new Uint8Array(1 << 20);
  /** `arena` read four bytes at a time, in the platform's byte order. */
  private words = new Int32Array(this.arena.buffer);
  private used = 0;
  private records: Readonly<InstalledPackage>[] = [];
  private problems: string[] = [];

  /** The entry id of the line `bytes[from, to)` with this hash, or 0 when the table does not know it. */
  get(view: DataView, bytes: Uint8Array, from: number, to: number, hash: number): number {
    const slots = this.slots;
    const len = to - from;
    for (let i = hash & LineTable.MASK; ; i = (i + 1) & LineTable.MASK) {
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
    for (let i = hash & LineTable.MASK; ; i = (i + 1) & LineTable.MASK) {
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

  /** Makes room for `n` more entries, clearing the table when they would pass {@link LIMIT}. */
  reserve(n: number): void {
    if (this.records.length + this.problems.length + n <= LineTable.LIMIT) return;
    this.slots.fill(0);
    this.records = [];
    this.problems = [];
    this.used = 0;
  }

  record(id: number): Readonly<InstalledPackage> {
    return this.records[id - 1]!;
  }

  problem(id: number): string {
    return this.problems[-id - 1]!;
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

  /**
   * Adds the line `scan` describes with its checked record (or problem); returns its entry id. The
   * caller has made room with {@link reserve}.
   */
  add(bytes: Uint8Array, from: number, scan: LineScan, value: Readonly<InstalledPackage> | string): number {
    const len = scan.tabs[4]! - from;
    if (this.used + len + 4 > this.arena.length) {
      const grown = new Uint8Array((Math.max(this.arena.length * 2, this.used + len + 4) + 3) & ~3);
      grown.set(this.arena.subarray(0, this.used));
      this.arena = grown;
      this.words = new Int32Array(grown.buffer);
    }
    const id = typeof value === 'string' ? -this.problems.push(value) : this.records.push(value);
    let i = scan.hash & LineTable.MASK;
    while (this.slots[4 * i + 1] !== 0) i = (i + 1) & LineTable.MASK;
    const at = 4 * i;
    this.slots[at] = scan.hash;
    this.slots[at + 1] = id;
    this.slots[at + 2] = this.used;
    this.slots[at + 3] = len;
    this.arena.set(bytes.subarray(from, from + len), this.used);
    this.used += (len + 3) & ~3;
    return id;
  }
}

const LITTLE_ENDIAN = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1;

const lineTable = new LineTable();

/** The general path for one line, with the issue messages of every kind of bad line. */
function readLine(line: string, lineNo: number, log: IssueLog): InstalledPackage | undefined {
  const problem = lineProblem(line);
  if (problem) {
    log.add(problem, lineNo);
    return undefined;
  }
  const fields = line.split('\t');
  if (fields.length !== 6) {
    log.add(`expected 6 tab-separated fields, got ${fields.length}: ${excerpt(line)}; skipped`, lineNo);
    return undefined;
  }
  const [name = '', version = '', src = '', srcVersion = '', arch = '', status = ''] = fields;
  if (status.charCodeAt(1) !== 105 /* i */) return undefined;
  const checked = checkPackage({ name, version, source: src, sourceVersion: srcVersion, arch });
  if (typeof checked !== 'string') return checked;
  log.add(`${checked}; skipped`, lineNo);
  return undefined;
}
