import { parse as parseYaml } from 'yaml';
import { UserError } from '../errors.js';
import { defaultLimits, limitExceeded, type Limits } from '../limits/limits.js';
import { HOST_NAME_PATTERN, HOST_NAME_RULE } from './host.js';
import {
  checkCandidate,
  conflictIssues,
  withClassification,
  type ImportIssue,
  type ImportResult,
} from './import-result.js';
import { mapTagNames, mapTagPairs, mergeClassifications } from './map-tags.js';

type Vars = Record<string, string>;

/** Groups, their members and variables, as both Ansible formats describe them. */
interface AnsibleModel {
  groups: Map<string, { vars: Vars; children: Set<string>; hosts: Set<string> }>;
  hostVars: Map<string, Vars>;
  hostLine: Map<string, number>;
  issues: ImportIssue[];
  limits: Limits;
  source: string;
}

/** How to read an inventory: its name for messages and the limits in force. */
export interface AnsibleReadOptions {
  /** the file name, for messages (`inventory.ini:3`) */
  source?: string;
  limits?: Limits;
}

function emptyModel(o: AnsibleReadOptions): AnsibleModel {
  return {
    groups: new Map(),
    hostVars: new Map(),
    hostLine: new Map(),
    issues: [],
    limits: o.limits ?? defaultLimits(),
    source: o.source ?? 'inventory',
  };
}

const where = (m: AnsibleModel, line?: number) => (line ? `${m.source}:${line}` : m.source);

function group(m: AnsibleModel, name: string) {
  let g = m.groups.get(name);
  if (!g) m.groups.set(name, (g = { vars: {}, children: new Set(), hosts: new Set() }));
  return g;
}

function addHost(m: AnsibleModel, groupName: string, host: string, vars: Vars, line?: number): void {
  const before = m.hostVars.get(host);
  if (!before && m.hostVars.size >= m.limits.hostsPerImport)
    throw limitExceeded('hostsPerImport', m.limits.hostsPerImport, where(m, line), `host "${host}"`);
  group(m, groupName).hosts.add(host);
  const changed = Object.keys(vars).filter((k) => before?.[k] !== undefined && before[k] !== vars[k]);
  if (changed.length)
    m.issues.push({
      subject: host,
      line,
      message: `listed more than once with different ${changed.slice(0, 3).join(', ')}; the later value is used`,
    });
  m.hostVars.set(host, { ...before, ...vars });
  if (line !== undefined && !m.hostLine.has(host)) m.hostLine.set(host, line);
}

const RANGE = /\[([0-9a-z]+):([0-9a-z]+)(?::(\d+))?\]/i;

/** How many values one `[from:to:step]` range yields. */
function rangeSize(from: string, to: string, step: number): number {
  const numeric = /^\d+$/.test(from) && /^\d+$/.test(to);
  const [a, b] = numeric ? [Number(from), Number(to)] : [from.charCodeAt(0), to.charCodeAt(0)];
  return b < a ? 0 : Math.floor((b - a) / step) + 1;
}

/** How many names a pattern expands to: the product of its ranges (1 without ranges). */
export function countHostPattern(pattern: string): number {
  let n = 1;
  for (const r of pattern.matchAll(new RegExp(RANGE.source, 'gi')))
    n *= rangeSize(r[1]!, r[2]!, Number(r[3] ?? 1) || 1);
  return n;
}

/**
 * Expands Ansible host ranges: `web[01:03]` -> web01, web02, web03; `db-[a:c]` -> db-a, db-b, db-c.
 * Past `limit` names (the product of all ranges) it throws the `hostExpansion` limit error, before
 * expanding anything.
 */
export function expandHostPattern(
  pattern: string,
  limit = defaultLimits().hostExpansion,
  at = 'inventory',
): string[] {
  const count = countHostPattern(pattern);
  if (count > limit)
    throw limitExceeded('hostExpansion', limit, at, `the pattern "${pattern.slice(0, 80)}" (${count} hosts)`);
  return expand(pattern);
}

function expand(pattern: string): string[] {
  const m = new RegExp(`^(.*?)${RANGE.source}(.*)$`, 'i').exec(pattern);
  if (!m) return [pattern];
  const [, pre, from, to, stepText, post] = m as unknown as string[];
  const step = Number(stepText ?? 1) || 1;
  const out: string[] = [];
  if (/^\d+$/.test(from!) && /^\d+$/.test(to!)) {
    for (let i = Number(from); i <= Number(to); i += step) out.push(String(i).padStart(from!.length, '0'));
  } else {
    for (let c = from!.charCodeAt(0); c <= to!.charCodeAt(0); c += step) out.push(String.fromCharCode(c));
  }
  return out.flatMap((x) => expand(`${pre}${x}${post}`));
}

/** Splits `a=1 b="two words" c='x'` into tokens, keeping quoted spaces. */
function tokenize(line: string): string[] {
  const tokens: string[] = [];
  const re = /(?:[^\s"']+|"(?:[^"\\]|\\.)*"|'[^']*')+/g;
  for (const m of line.matchAll(re)) tokens.push(m[0]);
  return tokens;
}

function unquote(v: string): string {
  return v
    .replace(/^"((?:[^"\\]|\\.)*)"$/, (_, s: string) => s.replace(/\\(.)/g, '$1'))
    .replace(/^'(.*)'$/, '$1');
}

function readPairs(tokens: string[]): Vars {
  const vars: Vars = {};
  for (const t of tokens) {
    const i = t.indexOf('=');
    if (i > 0) vars[t.slice(0, i)] = unquote(t.slice(i + 1));
  }
  return vars;
}

/** Reads the INI inventory format into groups, hosts and variables. */
function readIni(text: string, o: AnsibleReadOptions): AnsibleModel {
  const m = emptyModel(o);
  let section = { name: 'ungrouped', kind: 'hosts' };
  text.split(/\r?\n/).forEach((raw, i) => {
    const line = raw.trim();
    if (!line || line.startsWith('#') || line.startsWith(';')) return;
    const head = /^\[([^\]:]+)(?::(vars|children))?\]$/.exec(line);
    if (head) {
      section = { name: head[1]!, kind: head[2] ?? 'hosts' };
      group(m, section.name);
      return;
    }
    const tokens = tokenize(line.replace(/\s+#.*$/, ''));
    if (!tokens.length) {
      m.issues.push({ subject: 'line', line: i + 1, message: 'skipped: nothing readable on this line' });
      return;
    }
    if (section.kind === 'vars') Object.assign(group(m, section.name).vars, readPairs(tokens));
    else if (section.kind === 'children') group(m, section.name).children.add(tokens[0]!);
    else
      for (const h of expandHostPattern(tokens[0]!, m.limits.hostExpansion, where(m, i + 1)))
        addHost(m, section.name, h, readPairs(tokens.slice(1)), i + 1);
  });
  return m;
}

function stringVars(v: unknown): Vars {
  const out: Vars = {};
  if (v && typeof v === 'object' && !Array.isArray(v))
    for (const [k, x] of Object.entries(v)) if (x !== null && typeof x !== 'object') out[k] = String(x);
  return out;
}

function readYamlGroup(m: AnsibleModel, name: string, body: unknown): void {
  const g = group(m, name);
  if (!body || typeof body !== 'object') return;
  const b = body as { hosts?: unknown; vars?: unknown; children?: unknown };
  Object.assign(g.vars, stringVars(b.vars));
  if (b.hosts && typeof b.hosts === 'object')
    for (const [pattern, vars] of Object.entries(b.hosts))
      for (const h of expandHostPattern(pattern, m.limits.hostExpansion, `${m.source} (group ${name})`))
        addHost(m, name, h, stringVars(vars));
  if (b.children && typeof b.children === 'object')
    for (const [child, childBody] of Object.entries(b.children)) {
      g.children.add(child);
      readYamlGroup(m, child, childBody);
    }
}

/** Reads the YAML inventory format (`all: { hosts, vars, children }`). */
function readYaml(text: string, o: AnsibleReadOptions): AnsibleModel {
  const m = emptyModel(o);
  const doc = parseYamlBounded(text, m);
  if (doc && typeof doc === 'object')
    for (const [name, body] of Object.entries(doc)) readYamlGroup(m, name, body);
  return m;
}

/** Parses YAML with the `yamlAliases` limit; a syntax error is a UserError naming the file. */
function parseYamlBounded(text: string, m: AnsibleModel): unknown {
  const max = m.limits.yamlAliases;
  try {
    return parseYaml(text, { maxAliasCount: max, prettyErrors: false, logLevel: 'error' });
  } catch (e) {
    if (e instanceof ReferenceError && /alias/i.test(e.message))
      throw limitExceeded('yamlAliases', max, m.source, 'resolving YAML aliases');
    const why =
      e instanceof RangeError ? 'it nests too deeply' : (e as Error).message.split('\n')[0]!.slice(0, 200);
    throw new UserError(
      'inventory-yaml',
      `${m.source} is not valid YAML: ${why}`,
      'Check indentation, colons and quoting; `ansible-inventory -i FILE --list` shows what Ansible reads.',
      { cause: e },
    );
  }
}

/** Each group's parents (the reverse of `children`), built once per inventory. */
function parentsOf(m: AnsibleModel): Map<string, string[]> {
  const parents = new Map<string, string[]>();
  for (const [name, g] of m.groups)
    for (const c of g.children) {
      const list = parents.get(c);
      if (list) list.push(name);
      else parents.set(c, [name]);
    }
  return parents;
}

/**
 * The groups `start` and their ancestors, each with its longest distance from `start`. A loop over a
 * topological order, so a deep chain or a lattice of groups costs linear time and no stack.
 */
function groupDepths(start: readonly string[], parents: Map<string, string[]>): Map<string, number> {
  const nodes = new Set(start);
  const queue = [...start];
  while (queue.length)
    for (const p of parents.get(queue.pop()!) ?? [])
      if (!nodes.has(p)) {
        nodes.add(p);
        queue.push(p);
      }
  const pending = new Map<string, number>();
  for (const n of nodes) for (const p of parents.get(n) ?? []) pending.set(p, (pending.get(p) ?? 0) + 1);
  const depth = new Map<string, number>();
  const ready = [...nodes].filter((n) => !pending.get(n));
  for (const n of ready) depth.set(n, 0);
  while (ready.length) {
    const n = ready.pop()!;
    for (const p of parents.get(n) ?? []) {
      depth.set(p, Math.max(depth.get(p) ?? 0, depth.get(n)! + 1));
      const left = pending.get(p)! - 1;
      pending.set(p, left);
      if (left === 0) ready.push(p);
    }
  }
  // Groups in a children loop (Ansible refuses those) keep what they reached.
  for (const n of nodes) if (!depth.has(n)) depth.set(n, 0);
  return depth;
}

/** The groups of every host, directly or through `children`, ordered from general to specific. */
function hostGroups(m: AnsibleModel): (host: string) => string[] {
  const parents = parentsOf(m);
  const direct = new Map<string, string[]>();
  for (const [name, g] of m.groups)
    for (const h of g.hosts) {
      const list = direct.get(h);
      if (list) list.push(name);
      else direct.set(h, [name]);
    }
  // Hosts of one inventory share few distinct group sets: work each set out once.
  const memo = new Map<string, string[]>();
  return (host) => {
    const start = direct.get(host) ?? [];
    const key = start.join('\n');
    let out = memo.get(key);
    if (!out) {
      const depth = groupDepths(start, parents);
      const all = [...depth.keys()].filter((n) => n !== 'all' && n !== 'ungrouped');
      out = ['all', ...all.sort((a, b) => depth.get(b)! - depth.get(a)! || a.localeCompare(b))];
      memo.set(key, out);
    }
    return out;
  };
}

function jumpFrom(args: string | undefined): string | undefined {
  if (!args) return undefined;
  return /(?:-J\s*|ProxyJump=)([^\s"']+)/.exec(args)?.[1];
}

function connectionOf(name: string, v: Vars): Record<string, unknown> {
  if (v.ansible_connection === 'local') return { local: true };
  const port = v.ansible_port ?? v.ansible_ssh_port;
  const ssh: Record<string, unknown> = { host: v.ansible_host ?? v.ansible_ssh_host ?? name };
  if (v.ansible_user ?? v.ansible_ssh_user) ssh.user = v.ansible_user ?? v.ansible_ssh_user;
  if (port !== undefined) ssh.port = Number(port);
  const jump = jumpFrom(v.ansible_ssh_common_args ?? v.ansible_ssh_extra_args);
  if (jump) ssh.jump = jump;
  return { ssh };
}

function hostFrom(m: AnsibleModel, name: string, groups: string[], out: ImportResult): void {
  const vars: Vars = {};
  for (const g of groups) Object.assign(vars, m.groups.get(g)?.vars);
  Object.assign(vars, m.hostVars.get(name));
  const pw = Object.fromEntries(Object.entries(vars).filter(([k]) => k.startsWith('patchwise_')));
  const c = mergeClassifications(mapTagPairs(pw), mapTagNames(groups.filter((g) => g !== 'all')));
  const line = m.hostLine.get(name);
  if (!HOST_NAME_PATTERN.test(name)) {
    const shown = JSON.stringify(name.slice(0, 80));
    out.issues.push({ subject: shown, line, message: `skipped: not a valid host name (${HOST_NAME_RULE})` });
    return;
  }
  const candidate = withClassification(
    {
      name,
      connection: connectionOf(name, vars),
      tags: { 'ansible-groups': groups.slice(1).join(',') },
    },
    c,
  );
  if (!groups.slice(1).length) delete (candidate.tags as Vars)['ansible-groups'];
  out.issues.push(...conflictIssues(name, c, line));
  const r = checkCandidate(name, candidate, line);
  if ('host' in r) out.hosts.push(r.host);
  else out.issues.push(r.issue);
}

/** True when the text looks like a YAML Ansible inventory rather than INI. */
function looksLikeYaml(text: string): boolean {
  const first = text.split(/\r?\n/).find((l) => l.trim() && !l.trim().startsWith('#'));
  return first !== undefined && /^[A-Za-z0-9_-]+:\s*$/.test(first.trim()) && !first.startsWith('[');
}

/**
 * Parses an Ansible inventory (INI or YAML) into hosts: `ansible_host`, `ansible_user`, `ansible_port`
 * (and ProxyJump from `ansible_ssh_common_args`) become the SSH connection; `patchwise_tier`,
 * `patchwise_exposure`, `patchwise_owner` and `patchwise_environment` variables, or group names such as
 * `tier_1`, `internet`, `owner_alice`, `production`, classify the host. Variables from parent groups are
 * inherited, more specific groups and host variables win, as in Ansible.
 */
export function parseAnsibleInventory(text: string, o: AnsibleReadOptions = {}): ImportResult {
  const yaml = looksLikeYaml(text);
  const m = yaml ? readYaml(text, o) : readIni(text, o);
  const out: ImportResult = {
    format: yaml ? 'ansible-yaml' : 'ansible-ini',
    hosts: [],
    issues: [...m.issues],
  };
  const groupsOf = hostGroups(m);
  for (const name of m.hostVars.keys()) hostFrom(m, name, groupsOf(name), out);
  return out;
}
