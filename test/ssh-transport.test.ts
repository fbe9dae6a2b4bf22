import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OperationalError } from '../src/core/errors.js';
import {
  comparePins,
  fingerprint,
  keysFor,
  knownHostsName,
  pinKeys,
  readKnownHosts,
  scanHostKeys,
} from '../src/adapters/transport/known-hosts.js';
import { sshFailureOf } from '../src/adapters/transport/ssh-errors.js';
import { SshTransport, type SshSettings, type SshTarget } from '../src/adapters/transport/ssh-transport.js';
import { tempDir } from './helpers/cli.js';
import { freePort, requireSshd, startSshd, type TestSshd } from './helpers/test-sshd.js';

const failureOf = async (p: Promise<unknown>) => {
  try {
    await p;
    return 'no failure';
  } catch (e) {
    expect(e).toBeInstanceOf(OperationalError);
    return sshFailureOf(e) ?? (e as OperationalError).code;
  }
};

describe('ssh transport against a real sshd', { timeout: 180_000 }, () => {
  requireSshd();
  let sshd: TestSshd;
  let settings: SshSettings;
  let target: SshTarget;
  const open: SshTransport[] = [];
  const transport = (t: SshTarget = target, s: SshSettings = settings) => {
    const x = new SshTransport(t, s);
    open.push(x);
    return x;
  };

  beforeAll(async () => {
    const dir = tempDir('patchwise-ssh-');
    sshd = await startSshd(dir);
    settings = {
      knownHostsFile: path.join(dir, 'data', 'known_hosts'),
      controlDir: path.join(dir, 'cm'),
      connectTimeoutSec: 5,
    };
    target = { host: '127.0.0.1', port: sshd.port, user: 'root', identityFile: sshd.identityFile };
  });

  afterAll(async () => {
    for (const t of open) await t.close({ exitMaster: true });
    await sshd?.stop();
  });

  it('refuses a host whose key is not pinned, running nothing', async () => {
    expect(await failureOf(transport().run(['true']))).toBe('host-key-unknown');
  });

  it('pins the scanned key, then runs commands', async () => {
    const keys = await scanHostKeys(target);
    const fps = await fingerprint(keys);
    const expected = fs.readFileSync(`${sshd.hostKeyFile}.pub`, 'utf8').split(' ')[1];
    expect(keys.map((k) => k.key)).toContain(expected);
    expect(fps[0]!.fingerprint).toMatch(/^SHA256:/);
    const name = knownHostsName('127.0.0.1', sshd.port);
    expect(comparePins(keysFor(await readKnownHosts(settings.knownHostsFile), name), keys)).toBe('new');
    await pinKeys(settings.knownHostsFile, name, keys);
    expect(comparePins(keysFor(await readKnownHosts(settings.knownHostsFile), name), keys)).toBe('unchanged');
    const r = await transport().run(['echo', 'hello']);
    expect(r).toMatchObject({ code: 0, stdout: 'hello\n' });
  });

  it('passes hostile arguments through the remote shell untouched', async () => {
    const hostile = [
      "a'b",
      '$(touch /tmp/pw-pwned)',
      '`id`',
      'x;y',
      '*',
      '~',
      'new\nline',
      '',
      ' -n',
      '\\',
      '"q"',
    ];
    const r = await transport().run(['printf', '%s\\0', ...hostile]);
    expect(r.stdout.split('\0').slice(0, -1)).toEqual(hostile);
    expect(fs.existsSync('/tmp/pw-pwned')).toBe(false);
  });

  it('reads files, feeds stdin, and returns the remote exit code', async () => {
    const t = transport();
    expect(await t.readFile(`${sshd.hostKeyFile}.pub`)).toContain('ssh-ed25519');
    await expect(t.readFile('/nonexistent/file')).rejects.toThrow(/Cannot read/);
    expect((await t.run(['sh', '-s'], { input: 'echo "from stdin $((1+2))"\n' })).stdout).toBe(
      'from stdin 3\n',
    );
    expect((await t.run(['sh', '-c', 'exit 3'])).code).toBe(3);
    // 255 from the remote command, without ssh's diagnostics, is the command's own exit.
    expect((await t.run(['sh', '-c', 'echo boom >&2; exit 255'])).code).toBe(255);
  });

  it('kills a command that runs past its timeout', async () => {
    expect(await failureOf(transport().run(['sleep', '10'], { timeoutMs: 700 }))).toBe('timeout');
  });

  it('reports a wrong key as auth-failed', async () => {
    const other = path.join(sshd.dir, 'other_id');
    fs.copyFileSync(sshd.hostKeyFile, other);
    fs.chmodSync(other, 0o600);
    const s = { ...settings, controlDir: path.join(sshd.dir, 'cm-auth') };
    expect(await failureOf(transport({ ...target, identityFile: other }, s).run(['true']))).toBe(
      'auth-failed',
    );
  });

  it('reports a closed port as unreachable', async () => {
    const port = await freePort();
    await pinKeys(settings.knownHostsFile, knownHostsName('127.0.0.1', port), await scanHostKeys(target));
    expect(await failureOf(transport({ ...target, port }).run(['true']))).toBe('unreachable');
  });

  it('refuses a changed host key and collects nothing', async () => {
    for (const t of open.splice(0)) await t.close({ exitMaster: true });
    await sshd.rotateHostKey();
    const marker = path.join(sshd.dir, 'should-not-exist');
    const t = transport();
    const err = await t.run(['touch', marker]).catch((e: unknown) => e);
    expect(sshFailureOf(err)).toBe('host-key-changed');
    expect((err as Error).message).toMatch(/CHANGED host key/);
    expect(fs.existsSync(marker)).toBe(false);
    const pinned = keysFor(
      await readKnownHosts(settings.knownHostsFile),
      knownHostsName('127.0.0.1', sshd.port),
    );
    expect(comparePins(pinned, await scanHostKeys(target))).toBe('changed');
  });
});
