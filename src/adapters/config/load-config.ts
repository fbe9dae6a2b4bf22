import fs from 'node:fs';
import path from 'node:path';
import { LineCounter, parseDocument } from 'yaml';
import type { z } from 'zod';
import { ConfigSchema, IncludedFileSchema, type Config } from '../../core/config/config-schema.js';
import { UserError } from '../../core/errors.js';
import { defaultLimits, limitExceeded } from '../../core/limits/limits.js';
import type { Host } from '../../core/inventory/host.js';
import { missingParts, partIssue } from '../../core/windows/window-schema.js';
import { hostInScope } from '../../core/windows/window-scope.js';
import { formatConfigIssues, formatProblem, type ConfigProblem } from './format-config-issues.js';

/** Where a host of the configuration was written. */
export interface HostOrigin {
  file: string;
  line: number;
}

/** A validated configuration, with included hosts merged in and every host's origin. */
export interface LoadedConfig {
  /** absolute path of the main file */
  path: string;
  config: Config;
  /** host name -> file and line it was written at */
  origins: Map<string, HostOrigin>;
  warnings: string[];
}

/** The configuration an absent default ./patchwise.yaml stands for: no hosts, no providers. */
export function emptyConfig(file: string): LoadedConfig {
  return { path: file, config: ConfigSchema.parse({}), origins: new Map(), warnings: [] };
}

interface Parsed<T> {
  value?: T;
  data?: unknown;
  problems: ConfigProblem[];
  hostLines: number[];
  /** the line of each `include:` entry */
  includeLines?: number[];
  /** the line of each `windows:` entry */
  windowLines?: number[];
}

/** How to read the configuration. */
export interface LoadConfigOptions {
  /** the `yamlAliases` limit (a billion-laughs file stops here) */
  maxAliases?: number;
}

interface ParseContext {
  includedFrom?: string;
  maxAliases: number;
}

function readText(file: string, display: string, includedFrom?: string): string {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT')
      throw new UserError(
        'config-missing',
        `${includedFrom ? `${includedFrom}: included file ` : 'Configuration '}${display} does not exist.`,
        includedFrom
          ? 'Fix the include: pattern or create the file.'
          : 'Run `patchwise init` to write a starter file, or pass --config FILE.',
        { cause: e },
      );
    throw new UserError(
      'config-unreadable',
      `Cannot read ${display} (${code ?? 'error'}).`,
      'Check the file permissions.',
      { cause: e },
    );
  }
}

/** Parses one YAML file against a schema; problems carry file, line, column and field. */
function parseFile<S extends z.ZodType>(
  file: string,
  display: string,
  schema: S,
  ctx: ParseContext,
): Parsed<z.infer<S>> {
  const { includedFrom, maxAliases } = ctx;
  const text = readText(file, display, includedFrom);
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true, logLevel: 'error' });
  if (doc.errors.length) {
    const problems = doc.errors.map((e) => {
      const pos = lineCounter.linePos(e.pos[0]);
      return {
        file: display,
        line: pos.line,
        column: pos.col,
        field: '(yaml)',
        // Only the reason, never the text around it: the file may not be a patchwise file at all.
        message: e.message.split('\n')[0]!.replace(/:.*$/, ''),
        hint: 'Check indentation, colons and quoting around this line.',
      };
    });
    return { problems, hostLines: [] };
  }
  let data: unknown;
  try {
    data = doc.toJS({ maxAliasCount: maxAliases }) ?? {};
  } catch (e) {
    if (e instanceof ReferenceError)
      throw limitExceeded('yamlAliases', maxAliases, display, 'resolving YAML aliases');
    throw e;
  }
  if (includedFrom && !isHostsFile(data))
    return {
      problems: [
        {
          file: display,
          line: 1,
          column: 1,
          field: '(file)',
          message: `not a patchwise hosts file (expected a mapping with hosts:); its content is not shown`,
          hint: `Include only files holding a hosts: list; see ${includedFrom}.`,
        },
      ],
      hostLines: [],
    };
  const linesOf = (key: string) =>
    (
      ((doc.get(key, true) as { items?: { range?: number[] }[] } | undefined)?.items ?? []) as {
        range?: number[];
      }[]
    ).map((n) => lineCounter.linePos(n.range?.[0] ?? 0).line);
  const hostLines = linesOf('hosts');
  const includeLines = linesOf('include');
  const windowLines = linesOf('windows');
  const r = schema.safeParse(data);
  if (r.success) return { value: r.data, data, problems: [], hostLines, includeLines, windowLines };
  return {
    data,
    problems: formatConfigIssues(r.error.issues, { file: display, doc, lineCounter, data, schema }),
    hostLines,
    includeLines,
  };
}

/** True for what an included file must be: a mapping whose only key is `hosts`. */
function isHostsFile(data: unknown): boolean {
  if (!data || typeof data !== 'object' || Array.isArray(data)) return false;
  const keys = Object.keys(data);
  return keys.length === 1 && keys[0] === 'hosts';
}

/**
 * Why an included file may not be read, or undefined when it may: it must resolve (symlinks followed)
 * to a regular file inside the directory of the main configuration file.
 */
function includeRefusal(inc: string, root: string): string | undefined {
  let real: string;
  try {
    real = fs.realpathSync(inc);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    return code === 'ENOENT' ? undefined : `cannot be resolved (${code ?? 'error'})`;
  }
  const rel = path.relative(root, real);
  if (!rel || rel.startsWith('..') || path.isAbsolute(rel))
    return `resolves outside the configuration's directory ${root}`;
  if (!fs.statSync(real).isFile()) return 'is not a regular file';
  return undefined;
}

function globToRegExp(segment: string): RegExp {
  const body = segment
    .replace(/[.+^${}()|[\]\\]/g, '\\$&')
    .replace(/\*+/g, '[^/]*')
    .replace(/\?/g, '[^/]');
  return new RegExp(`^${body}$`);
}

/** Expands an include pattern (`*` and `?` in any segment) relative to `dir`; sorted, files only. */
export function expandInclude(dir: string, pattern: string): string[] {
  const abs = path.resolve(dir, pattern);
  if (!/[*?]/.test(pattern)) return [abs];
  const parts = abs.split(path.sep).filter(Boolean);
  let current = [path.parse(abs).root];
  for (const [i, part] of parts.entries()) {
    const last = i === parts.length - 1;
    const next: string[] = [];
    for (const base of current) {
      if (!/[*?]/.test(part)) next.push(path.join(base, part));
      else {
        const re = globToRegExp(part);
        const names = fs.existsSync(base) && fs.statSync(base).isDirectory() ? fs.readdirSync(base) : [];
        for (const n of names.sort()) if (re.test(n) && !n.startsWith('.')) next.push(path.join(base, n));
      }
    }
    current = next.filter((p) => (last ? fs.existsSync(p) && fs.statSync(p).isFile() : true));
  }
  return current;
}

function displayName(file: string, cwd: string): string {
  const rel = path.relative(cwd, file);
  return rel && !rel.startsWith('..') && !path.isAbsolute(rel) ? rel : file;
}

function noteHosts(
  hosts: Host[],
  lines: number[],
  file: string,
  acc: { hosts: Host[]; origins: Map<string, HostOrigin>; problems: ConfigProblem[] },
) {
  hosts.forEach((h, i) => {
    const line = lines[i] ?? 1;
    const first = acc.origins.get(h.name);
    if (first) {
      acc.problems.push({
        file,
        line,
        column: 1,
        field: `hosts[${i}].name`,
        message: `host "${h.name}" is defined twice (first at ${first.file}:${first.line})`,
        hint: 'Host names must be unique across patchwise.yaml and its included files.',
      });
      return;
    }
    acc.origins.set(h.name, { file, line });
    acc.hosts.push(h);
  });
}

/**
 * Windows whose scope names no tier but still covers a tier 1 or 2 host of the configuration must state
 * the five parts too (a scope listing tier 1 or 2 is checked by the schema itself).
 */
function checkWindowParts(config: Config, hosts: Host[], lines: number[], file: string): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  config.windows.forEach((w, i) => {
    const covered = hosts.find((h) => h.tier !== undefined && h.tier <= 2 && hostInScope(w.scope, h));
    if (!covered) return;
    for (const part of missingParts(w)) {
      const issue = partIssue(w.name, i, part, `tier ${covered.tier} (host ${covered.name})`);
      problems.push({
        file,
        line: lines[i] ?? 1,
        column: 1,
        field: `windows[${i}].${part}`,
        message: issue.message,
        hint: issue.params.hint,
      });
    }
  });
  return problems;
}

function checkProviders(config: Config, hosts: Host[], origins: Map<string, HostOrigin>): string[] {
  const warnings: string[] = [];
  for (const h of hosts) {
    if (h.provider && !config.providers[h.provider.name]) {
      const o = origins.get(h.name);
      warnings.push(
        `${o?.file}:${o?.line}: host "${h.name}" names provider "${h.provider.name}", which is not under providers: (restore points will not work for it).`,
      );
    }
  }
  return warnings;
}

/**
 * Loads patchwise.yaml and the files its `include:` names, validates all of it against the schema and
 * returns it with every host's origin. Every problem in every file is reported at once, each as
 * `file:line:column: field: message. Hint: ...`, in one UserError (code `config-invalid`).
 */
export function loadConfig(file: string, cwd = process.cwd(), o: LoadConfigOptions = {}): LoadedConfig {
  const display = displayName(file, cwd);
  const maxAliases = o.maxAliases ?? defaultLimits().yamlAliases;
  const main = parseFile(file, display, ConfigSchema, { maxAliases });
  const acc = { hosts: [] as Host[], origins: new Map<string, HostOrigin>(), problems: [...main.problems] };
  if (main.value) noteHosts(main.value.hosts, main.hostLines, display, acc);
  // Included files are checked even when the main file has problems, so one run lists them all.
  const include = (main.data as { include?: unknown } | undefined)?.include;
  if (Array.isArray(include)) {
    const root = fs.realpathSync(path.dirname(path.resolve(file)));
    for (const [i, pattern] of include.entries()) {
      if (typeof pattern !== 'string') continue;
      const files = expandInclude(path.dirname(file), pattern);
      for (const inc of files) {
        const incDisplay = displayName(inc, cwd);
        const refusal = includeRefusal(inc, root);
        if (refusal) {
          acc.problems.push({
            file: display,
            line: main.includeLines?.[i] ?? 1,
            column: 1,
            field: `include[${i}]`,
            message: `${incDisplay} ${refusal}; not read`,
            hint: 'Included files must sit in the directory of the configuration file or below it (symlinks are followed).',
          });
          continue;
        }
        const parsed = parseFile(inc, incDisplay, IncludedFileSchema, { includedFrom: display, maxAliases });
        acc.problems.push(...parsed.problems);
        if (parsed.value) noteHosts(parsed.value.hosts, parsed.hostLines, incDisplay, acc);
      }
    }
  }
  if (main.value)
    acc.problems.push(...checkWindowParts(main.value, acc.hosts, main.windowLines ?? [], display));
  if (acc.problems.length || !main.value) {
    const n = acc.problems.length;
    acc.problems.sort((a, b) =>
      a.file === b.file ? a.line - b.line || a.column - b.column : a.file === display ? -1 : 1,
    );
    throw new UserError(
      'config-invalid',
      `${n} problem${n === 1 ? '' : 's'} in the configuration:\n${acc.problems.map((p) => `  ${formatProblem(p)}`).join('\n')}`,
      'Fix each line above; `patchwise init` writes a commented example and schema/patchwise.schema.json lets editors check as you type.',
    );
  }
  const config = { ...main.value, hosts: acc.hosts };
  return {
    path: file,
    config,
    origins: acc.origins,
    warnings: checkProviders(config, acc.hosts, acc.origins),
  };
}
