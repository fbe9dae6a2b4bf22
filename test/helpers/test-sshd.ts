import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { installHint, isRoot, requirePrerequisite } from './require-prerequisite.js';

/** A real sshd on 127.0.0.1 for tests: its own host key, one authorized client key, root login by key. */
export interface TestSshd {
  port: number;
  dir: string;
  /** private key the server authorizes */
  identityFile: string;
  hostKeyFile: string;
  /** restarts sshd with a fresh host key (a rebuilt or impersonated host) */
  rotateHostKey(): Promise<void>;
  stop(): Promise<void>;
}

/**
 * Fails the calling suite unless this machine can run the test sshd: root (it logs in as root) with
 * openssh-server and openssh-client installed. Call it first in the `describe`.
 */
export function requireSshd(): void {
  requirePrerequisite('root', isRoot, 'The test sshd logs in as root: run the tests as root.');
  requirePrerequisite('sshd', () => fs.existsSync('/usr/sbin/sshd'), installHint('openssh-server'));
  requirePrerequisite(
    'ssh and ssh-keygen',
    () => fs.existsSync('/usr/bin/ssh') && fs.existsSync('/usr/bin/ssh-keygen'),
    installHint('openssh-client'),
  );
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(port));
    });
  });
}

async function waitForPort(port: number, ms = 10_000): Promise<void> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    const ok = await new Promise<boolean>((resolve) => {
      const c = net.connect(port, '127.0.0.1', () => {
        c.destroy();
        resolve(true);
      });
      c.once('error', () => resolve(false));
    });
    if (ok) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`sshd did not listen on ${port}`);
}

function keygen(file: string): void {
  fs.rmSync(file, { force: true });
  fs.rmSync(`${file}.pub`, { force: true });
  execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', 'patchwise-test', '-f', file]);
}

/** Starts sshd in `dir` (created by the caller, e.g. tempDir()). */
export async function startSshd(dir: string): Promise<TestSshd> {
  fs.mkdirSync('/run/sshd', { recursive: true, mode: 0o755 });
  const port = await freePort();
  const hostKeyFile = path.join(dir, 'host_ed25519');
  const identityFile = path.join(dir, 'id_ed25519');
  keygen(hostKeyFile);
  keygen(identityFile);
  fs.copyFileSync(`${identityFile}.pub`, path.join(dir, 'authorized_keys'));
  const config = path.join(dir, 'sshd_config');
  fs.writeFileSync(
    config,
    [
      `Port ${port}`,
      'ListenAddress 127.0.0.1',
      `HostKey ${hostKeyFile}`,
      `AuthorizedKeysFile ${path.join(dir, 'authorized_keys')}`,
      `PidFile ${path.join(dir, 'sshd.pid')}`,
      'PasswordAuthentication no',
      'KbdInteractiveAuthentication no',
      'PermitRootLogin prohibit-password',
      'StrictModes no',
      'UsePAM no',
      'MaxStartups 200',
      'MaxSessions 200',
      'LogLevel ERROR',
      '',
    ].join('\n'),
  );
  let child: ChildProcess | undefined;
  const start = async () => {
    child = spawn('/usr/sbin/sshd', ['-D', '-e', '-f', config], { stdio: ['ignore', 'ignore', 'pipe'] });
    child.stderr?.on('data', () => undefined);
    await waitForPort(port);
  };
  const stop = async () => {
    if (!child || child.exitCode !== null) return;
    const exited = new Promise((r) => child!.once('exit', r));
    child.kill('SIGTERM');
    await exited;
  };
  await start();
  return {
    port,
    dir,
    identityFile,
    hostKeyFile,
    stop,
    async rotateHostKey() {
      await stop();
      keygen(hostKeyFile);
      await start();
    },
  };
}
