import { isMap, isPair, isScalar, isSeq, type Document, type LineCounter, type Node } from 'yaml';
import type { z } from 'zod';

/** One problem in a configuration file, located and explained. */
export interface ConfigProblem {
  file: string;
  line: number;
  column: number;
  field: string;
  message: string;
  hint?: string;
}

type Path = readonly PropertyKey[];

/** `['hosts', 2, 'tier']` -> `hosts[2].tier`. */
export function formatPath(path: Path): string {
  let out = '';
  for (const p of path) {
    if (typeof p === 'number') out += `[${p}]`;
    else if (/^[A-Za-z_][A-Za-z0-9_-]*$/.test(String(p))) out += out ? `.${String(p)}` : String(p);
    else out += `[${JSON.stringify(String(p))}]`;
  }
  return out || '(top level)';
}

/** The deepest YAML node the path reaches (and the key node of the last pair, for unknown-key errors). */
function locate(doc: Document, path: Path): { node?: Node; key?: Node } {
  let node = doc.contents as Node | null | undefined;
  let key: Node | undefined;
  for (const seg of path) {
    if (isMap(node)) {
      const pair = node.items.find(
        (p) => isPair(p) && isScalar(p.key) && String(p.key.value) === String(seg),
      );
      if (!pair) break;
      key = pair.key as Node;
      node = (pair.value as Node | null) ?? key;
    } else if (isSeq(node) && typeof seg === 'number' && node.items[seg]) {
      node = node.items[seg] as Node;
      key = undefined;
    } else break;
  }
  return { node: node ?? undefined, key };
}

function position(lc: LineCounter, n: Node | undefined): { line: number; column: number } {
  const offset = n?.range?.[0] ?? 0;
  const p = lc.linePos(offset);
  return { line: p.line, column: p.col };
}

function valueAt(data: unknown, path: Path): unknown {
  let v = data;
  for (const p of path) v = v && typeof v === 'object' ? (v as Record<PropertyKey, unknown>)[p] : undefined;
  return v;
}

function show(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'a list';
  if (typeof v === 'object') return 'a mapping';
  return JSON.stringify(v);
}

function oneOf(values: readonly unknown[]): string {
  const s = values.map((v) => (typeof v === 'string' ? v : JSON.stringify(v)));
  return s.length > 1 ? `${s.slice(0, -1).join(', ')} or ${s.at(-1)}` : (s[0] ?? '');
}

const HINTS: Record<string, string> = {
  tier: 'Use 1 (production, critical) to 4 (archived, low value); see docs/configuration.md.',
  exposure: 'internet: reachable from the internet; internal: private network; isolated: no network path in.',
  owner: 'Name the person or team answerable for the host, e.g. owner: team-web.',
  connection:
    'Write connection: { ssh: { host: 10.0.0.5, user: root, port: 22 } } or connection: { local: true }.',
  port: 'A TCP port number from 1 to 65535, written without quotes.',
  name: 'Host names use letters, digits, dot, dash and underscore, at most 63 characters.',
  kind: 'Provider kinds: lab, raff, command.',
  http: 'A full URL that answers 2xx when healthy, e.g. http://10.0.0.5:8080/health.',
  tcp: 'host:port that must accept a connection, e.g. 10.0.0.5:5432.',
  provider: 'Write provider: { name: NAME, id: VM-ID } where NAME is an entry under providers:.',
  include: 'A list of file patterns relative to this file, e.g. include: [hosts/*.yaml].',
  tags: 'Tags are key: value strings; quote numbers, e.g. rack: "12".',
};

function hintFor(path: Path): string | undefined {
  for (let i = path.length - 1; i >= 0; i--) {
    const h = HINTS[String(path[i])];
    if (h && typeof path[i] === 'string') return h;
  }
  return undefined;
}

function distance(a: string, b: string): number {
  const d = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let prev = d[0]!;
    d[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const cur = d[j]!;
      d[j] = Math.min(d[j]! + 1, d[j - 1]! + 1, prev + (a[i - 1] === b[j - 1] ? 0 : 1));
      prev = cur;
    }
  }
  return d[b.length]!;
}

/** Keys the object schema at `path` accepts (through arrays, optionals, defaults, records and unions). */
export function knownKeysAt(schema: z.ZodType, path: Path): string[] {
  const def = (schema as unknown as { _zod: { def: Record<string, unknown> } })._zod.def;
  const t = def.type as string;
  if (t === 'optional' || t === 'default' || t === 'nullable' || t === 'prefault')
    return knownKeysAt(def.innerType as z.ZodType, path);
  if (t === 'union') return [...new Set((def.options as z.ZodType[]).flatMap((o) => knownKeysAt(o, path)))];
  if (!path.length) return t === 'object' ? Object.keys(def.shape as object) : [];
  const [head, ...rest] = path;
  if (t === 'object') {
    const child = (def.shape as Record<string, z.ZodType>)[String(head)];
    return child ? knownKeysAt(child, rest) : [];
  }
  if (t === 'array') return knownKeysAt(def.element as z.ZodType, rest);
  if (t === 'record') return knownKeysAt(def.valueType as z.ZodType, rest);
  return [];
}

/** Picks the branch of a failed union that came closest, so the user sees one relevant message. */
function bestBranch(errors: z.core.$ZodIssue[][]): z.core.$ZodIssue[] {
  const score = (b: z.core.$ZodIssue[]) =>
    b.length + 10 * b.filter((i) => i.code === 'unrecognized_keys' && !i.path.length).length;
  return [...errors].sort((a, b) => score(a) - score(b))[0] ?? [];
}

/** Message for one zod issue, in words a config author understands. */
function describe(issue: z.core.$ZodIssue, got: unknown): string {
  switch (issue.code) {
    case 'invalid_type':
      if (got === undefined) return `required field is missing (expected ${issue.expected})`;
      return `expected ${issue.expected} (got ${show(got)})`;
    case 'invalid_value':
      return `expected ${oneOf(issue.values)} (got ${show(got)})`;
    case 'too_small':
    case 'too_big':
    case 'invalid_format':
      return `${issue.message.replace(/^Invalid input: /, '')} (got ${show(got)})`;
    case 'invalid_union':
      if ('note' in issue && issue.note === 'No matching discriminator')
        return `unknown kind (got ${show(got)})`;
      return issue.message;
    default:
      return issue.message;
  }
}

/** Turns zod issues into located, explained problems: one per issue (one per unknown key). */
export function formatConfigIssues(
  issues: readonly z.core.$ZodIssue[],
  ctx: { file: string; doc: Document; lineCounter: LineCounter; data: unknown; schema: z.ZodType },
  prefix: Path = [],
): ConfigProblem[] {
  const out: ConfigProblem[] = [];
  for (const issue of issues) {
    const path = [...prefix, ...issue.path];
    if (issue.code === 'invalid_union' && issue.errors.length && !('note' in issue && issue.note)) {
      out.push(...formatConfigIssues(bestBranch(issue.errors), ctx, path));
      continue;
    }
    if (issue.code === 'unrecognized_keys') {
      const known = knownKeysAt(ctx.schema, path);
      for (const k of issue.keys) {
        const { key } = locate(ctx.doc, [...path, k]);
        const near = known.filter((x) => distance(x, k) <= 2);
        const hint = near.length
          ? `Did you mean ${oneOf(near)}?`
          : `Known fields here: ${known.join(', ') || 'none'}.`;
        out.push({
          file: ctx.file,
          ...position(ctx.lineCounter, key),
          field: formatPath([...path, k]),
          message: `unknown field "${k}"`,
          hint,
        });
      }
      continue;
    }
    const got = valueAt(ctx.data, path);
    const { node } = locate(ctx.doc, path);
    const message = describe(issue, got);
    const kindHint = issue.code === 'invalid_union' ? HINTS.kind : undefined;
    const ownHint =
      issue.code === 'custom' ? (issue.params as { hint?: string } | undefined)?.hint : undefined;
    out.push({
      file: ctx.file,
      ...position(ctx.lineCounter, node),
      field: formatPath(path),
      message,
      hint: ownHint ?? kindHint ?? hintFor(path),
    });
  }
  return out;
}

/** `patchwise.yaml:14:7: hosts[2].tier: expected 1, 2, 3 or 4 (got 5). Hint: ...` */
export function formatProblem(p: ConfigProblem): string {
  return `${p.file}:${p.line}:${p.column}: ${p.field}: ${p.message}.${p.hint ? ` Hint: ${p.hint}` : ''}`;
}
