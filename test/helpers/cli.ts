import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** The project root. */
export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
/** The offline feed snapshot the project ships (OSV zip, KEV, EPSS sample, distro-info tables). */
export const SNAPSHOT = path.join(ROOT, 'feeds/snapshot');
/** Real data for tests (see test/fixtures/README.md): tests read nothing outside the repository. */
export const FIXTURES = path.join(ROOT, 'test/fixtures');

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs the built CLI (`npm run build` first) with a private data dir unless one is given. */
export function runCli(
  args: string[],
  opts: { cwd?: string; env?: Record<string, string>; input?: string; timeoutMs?: number } = {},
): CliResult {
  const r = spawnSync(process.execPath, [path.join(ROOT, 'bin/patchwise.js'), ...args], {
    cwd: opts.cwd ?? ROOT,
    env: { ...process.env, CI: '1', ...opts.env },
    input: opts.input,
    encoding: 'utf8',
    timeout: opts.timeoutMs ?? 120_000,
    maxBuffer: 256 * 1024 * 1024,
  });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

const tempDirs = new Set<string>();
process.on('exit', () => {
  for (const dir of tempDirs) fs.rmSync(dir, { recursive: true, force: true });
});

/** A fresh temporary directory, removed when the process exits (one exit handler for all of them). */
export function tempDir(prefix = 'patchwise-test-'): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  tempDirs.add(dir);
  return dir;
}

/** NDJSON output (`--json` of fleet-wide commands): the header line and the records after it. */
export function parseNdjson<T = Record<string, unknown>>(
  text: string,
): { header: { format: string; version: number } & Record<string, unknown>; records: T[] } {
  const lines = text.split('\n').filter((l) => l.trim() !== '');
  const [head, ...rest] = lines.map((l) => JSON.parse(l) as Record<string, unknown>);
  if (!head || typeof head.format !== 'string')
    throw new Error(`no NDJSON header line in: ${text.slice(0, 200)}`);
  return { header: head as { format: string; version: number }, records: rest as T[] };
}

/** The host lines of `plan --json` output, with the header's fields. */
export function parsePlan<H>(text: string): { timeZone: string; now: string; notes: string[]; hosts: H[] } {
  const { header, records } = parseNdjson<H>(text);
  return { ...(header as unknown as { timeZone: string; now: string; notes: string[] }), hosts: records };
}
