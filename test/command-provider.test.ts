import fs from 'node:fs';
import path from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import {
  CommandRestorePoints,
  substituteArgv,
  type CommandProviderConfig,
} from '../src/adapters/providers/command-provider.js';
import { restorePointProviderFor } from '../src/adapters/providers/providers.js';
import { CommandProviderSchema } from '../src/core/config/config-schema.js';
import { OperationalError, UserError } from '../src/core/errors.js';
import { tempDir } from './helpers/cli.js';

/**
 * A tiny "cloud CLI" in bash keeping its state in files under $STATE: a snapshot is pending for its first
 * two status calls, then ready (files are named by cksum of the VM and name). Every call's argv is appended to $STATE/argv, one argument per line.
 */
const CLOUD = String.raw`#!/usr/bin/env bash
set -u
cmd=$1; vm=$2; snap=''; [ $# -ge 3 ] && snap=$3
{ printf 'ARGV %s\n' "$#"; printf '%s\n' "$@"; } >> "$STATE/argv"
key=$(printf '%s' "$vm/$snap" | cksum | cut -d' ' -f1)
case $cmd in
  snap)
    [ "$snap" = fail-me ] && { echo "quota exceeded for token $CLOUD_TOKEN" >&2; exit 4; }
    echo 0 > "$STATE/$key.polls"; echo "$snap" >> "$STATE/$(printf '%s' "$vm" | cksum | cut -d' ' -f1).list" ;;
  status)
    [ -f "$STATE/$key.polls" ] || exit 1
    n=$(cat "$STATE/$key.polls"); echo $((n + 1)) > "$STATE/$key.polls"
    if [ "$n" -ge 2 ]; then echo ready; else echo pending; fi ;;
  restore) echo "$snap" > "$STATE/restored" ;;
  delete)
    rm -f "$STATE/$key.polls"
    f="$STATE/$(printf '%s' "$vm" | cksum | cut -d' ' -f1).list"
    grep -vxF -- "$snap" "$f" > "$f.new"; mv "$f.new" "$f" ;;
  list)
    f="$STATE/$(printf '%s' "$vm" | cksum | cut -d' ' -f1).list"
    [ -f "$f" ] && cat "$f"; true ;;
  slow) sleep 5 ;;
  loud) head -c 200000 /dev/zero | tr '\0' x ;;
  cycle) echo "$vm" > "$STATE/cycled" ;;
esac
`;

let state: string;
let cloud: string;
const env = () => ({ PATH: process.env.PATH, STATE: state, CLOUD_TOKEN: 'tok-SECRET-9876' });
const fast = { pollMs: 1, maxPollMs: 5 };

function config(extra: Partial<CommandProviderConfig> = {}): CommandProviderConfig {
  return CommandProviderSchema.parse({
    kind: 'command',
    snapshot: [cloud, 'snap', '{id}', '{snapshot}'],
    status: [cloud, 'status', '{id}', '{snapshot}'],
    restore: [cloud, 'restore', '{id}', '{snapshot}'],
    delete: [cloud, 'delete', '{id}', '{snapshot}'],
    list: [cloud, 'list', '{id}'],
    ...extra,
  });
}

function argvLog(): string[][] {
  const text = fs.readFileSync(path.join(state, 'argv'), 'utf8');
  const calls: string[][] = [];
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const m = /^ARGV (\d+)$/.exec(lines[i]!);
    if (m) calls.push(lines.slice(i + 1, i + 1 + Number(m[1])));
  }
  return calls;
}

beforeEach(() => {
  state = tempDir('patchwise-cmd-');
  cloud = path.join(state, 'cloud.sh');
  fs.writeFileSync(cloud, CLOUD, { mode: 0o755 });
});

describe('command restore points, with a real script keeping state in files', () => {
  it('creates, polls status with backoff until ready, and is idempotent by name', async () => {
    const p = new CommandRestorePoints(config(), env(), fast);
    const seen: string[] = [];
    const rp = await p.create('vm-1', 'patchwise-r1-web', (m) => seen.push(m));
    expect(rp).toEqual({ name: 'patchwise-r1-web', id: 'patchwise-r1-web', status: 'ready' });
    expect(seen.filter((m) => m.includes('is pending'))).toHaveLength(2);
    expect(await p.create('vm-1', 'patchwise-r1-web')).toMatchObject({ status: 'ready' });
    expect(argvLog().filter((a) => a[0] === 'snap')).toHaveLength(1);
    expect(await p.find('vm-1', 'patchwise-other')).toBeUndefined();
  });

  it('restores, lists only patchwise names, deletes (twice without error) and power-cycles', async () => {
    const withCycle = config({ powerCycle: [cloud, 'cycle', '{id}'] });
    expect(restorePointProviderFor('mycloud', withCycle, env())).toBeInstanceOf(CommandRestorePoints);
    const p = new CommandRestorePoints(withCycle, env(), fast);
    await p.create('vm-1', 'patchwise-r1-a');
    await p.create('vm-1', 'patchwise-r2-a');
    const listFile = fs.readdirSync(state).find((f) => f.endsWith('.list'))!;
    fs.appendFileSync(path.join(state, listFile), 'manual-one\n');
    expect((await p.list('vm-1')).map((r) => r.name)).toEqual(['patchwise-r1-a', 'patchwise-r2-a']);
    await p.restore('vm-1', 'patchwise-r1-a');
    expect(fs.readFileSync(path.join(state, 'restored'), 'utf8').trim()).toBe('patchwise-r1-a');
    await p.delete('vm-1', 'patchwise-r1-a');
    await p.delete('vm-1', 'patchwise-r1-a');
    expect((await p.list('vm-1')).map((r) => r.name)).toEqual(['patchwise-r2-a']);
    await p.powerCycle!('vm-1');
    expect(fs.readFileSync(path.join(state, 'cycled'), 'utf8').trim()).toBe('vm-1');
    expect(new CommandRestorePoints(config(), env()).powerCycle).toBeUndefined();
  });

  it('passes a hostile id and name as single arguments, never through a shell', async () => {
    const p = new CommandRestorePoints(config(), env(), fast);
    const id = `vm 1; touch ${state}/pwned $(touch ${state}/pwned2) \`id\` "q" 'r' | & > x`;
    const name = 'patchwise-$(reboot)-*;echo';
    await p.create(id, name);
    const snap = argvLog().find((a) => a[0] === 'snap')!;
    expect(snap).toEqual(['snap', id, name]);
    expect(fs.existsSync(path.join(state, 'pwned'))).toBe(false);
    expect(fs.existsSync(path.join(state, 'pwned2'))).toBe(false);
    expect(substituteArgv(['--vm={id}', 'x{snapshot}y'], { id: 'a b', snapshot: 's' })).toEqual([
      '--vm=a b',
      'xsy',
    ]);
  });

  it('refuses values that would read as options, before running anything', async () => {
    const p = new CommandRestorePoints(config(), env(), fast);
    await expect(p.create('--help', 'patchwise-x')).rejects.toThrow(/starts with "-"/);
    await expect(p.create('vm-1', '-rf')).rejects.toBeInstanceOf(UserError);
    await expect(p.find('vm\n2', 'patchwise-x')).rejects.toThrow(/control character/);
    expect(fs.existsSync(path.join(state, 'argv'))).toBe(false);
  });

  it('shows stderr on failure with secrets from the environment removed', async () => {
    const p = new CommandRestorePoints(config(), env(), fast);
    const e = await p.create('vm-1', 'fail-me').catch((x: unknown) => x);
    expect(e).toBeInstanceOf(OperationalError);
    expect(String((e as Error).message)).toContain(
      'snapshot command exited with 4: quota exceeded for token [redacted]',
    );
    expect(String((e as Error).message)).not.toContain('tok-SECRET-9876');
  });

  it('stops a command at timeoutSeconds and bounds its output', async () => {
    const slow = new CommandRestorePoints(
      config({ list: [cloud, 'slow', '{id}'], timeoutSeconds: 1 }),
      env(),
    );
    const started = Date.now();
    await expect(slow.list('vm-1')).rejects.toThrow(/The list command did not finish within 1s/);
    expect(Date.now() - started).toBeLessThan(4000);
    const loud = new CommandRestorePoints(config({ list: [cloud, 'loud', '{id}'] }), env(), {
      maxOutputBytes: 10_000,
    });
    await expect(loud.list('vm-1')).rejects.toThrow(/more than 10000 bytes/);
  });

  it('fails with a clear message when the snapshot is not ready in time', async () => {
    const stuck = path.join(state, 'stuck.sh');
    fs.writeFileSync(stuck, '#!/bin/sh\necho pending\n', { mode: 0o755 });
    let now = 0;
    const p = new CommandRestorePoints(
      config({ status: [stuck, '{snapshot}'], readyTimeoutSeconds: 60 }),
      env(),
      { pollMs: 1000, maxPollMs: 20_000, now: () => now, sleep: async (ms) => void (now += ms) },
    );
    await expect(p.create('vm-1', 'patchwise-slow')).rejects.toThrow(
      'Restore point patchwise-slow of vm-1 was not ready after 60s (last: pending).',
    );
  });

  it('checks its configuration: {host} refused, a snapshot needs status or list, a missing program is named', async () => {
    expect(CommandProviderSchema.safeParse({ kind: 'command', restore: ['x', '{host}'] }).success).toBe(
      false,
    );
    expect(() => new CommandRestorePoints(config({ status: undefined, list: undefined }), env())).toThrow(
      /needs a status or list command/,
    );
    const p = new CommandRestorePoints(config({ list: [path.join(state, 'nope'), '{id}'] }), env());
    await expect(p.list('vm-1')).rejects.toThrow(/was not found/);
    const bare = new CommandRestorePoints({ kind: 'command' }, env());
    await expect(bare.list('vm-1')).rejects.toThrow('The command provider has no list command.');
  });
});
