import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { ROOT, runCli, tempDir } from './helpers/cli.js';

/** A data directory and a working directory of its own; `extra` env on top. */
function workspace(extra: Record<string, string> = {}) {
  const dir = tempDir();
  const env = { PATCHWISE_HOME: path.join(dir, '.pw'), ...extra };
  const write = (name: string, text: string) => {
    fs.mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
    fs.writeFileSync(path.join(dir, name), text);
    return path.join(dir, name);
  };
  return {
    dir,
    env,
    write,
    run: (args: string[], more: Record<string, string> = {}) =>
      runCli(args, { cwd: dir, env: { ...env, ...more } }),
  };
}

function storedHosts(dir: string): { name: string; record: string }[] {
  const file = path.join(dir, '.pw', 'patchwise.db');
  if (!fs.existsSync(file)) return [];
  const db = new Database(file, { readonly: true });
  try {
    return db.prepare('SELECT name, record FROM host ORDER BY name').all() as {
      name: string;
      record: string;
    }[];
  } finally {
    db.close();
  }
}

describe('expansion limits', () => {
  it('refuses a host pattern whose ranges multiply past hostExpansion, naming file:line and how to raise it', () => {
    const { run, write } = workspace();
    write('r.ini', '[w]\nw[0:9][0:9][0:9][0:9][0:9][0:9][0:9]\n');
    const r = run(['hosts', 'import', 'r.ini', '--dry-run']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('r.ini:2');
    expect(r.stderr).toContain('went past the host-expansion limit');
    expect(r.stderr).toContain('10000000 hosts');
    expect(r.stderr).toContain('raise the limit, e.g. PATCHWISE_LIMIT_HOST_EXPANSION=40000');
    expect(r.stderr).not.toMatch(/\n\s+at /);
    // Raised, the same pattern family imports.
    write('s.ini', '[w]\nw[0:9][0:9][0:9]\n');
    expect(
      run(['hosts', 'import', 's.ini', '--dry-run'], { PATCHWISE_LIMIT_HOST_EXPANSION: '100' }).code,
    ).toBe(2);
    expect(
      run(['hosts', 'import', 's.ini', '--dry-run'], { PATCHWISE_LIMIT_HOST_EXPANSION: '1000' }).code,
    ).toBe(0);
  });

  it('caps hosts per import; a bad limit value is exit 2 too', () => {
    const { run, write, dir } = workspace();
    write('five.ini', 'a\nb\nc\nd\ne\n');
    const env = run(['hosts', 'import', 'five.ini'], { PATCHWISE_LIMIT_HOSTS_PER_IMPORT: '4' });
    expect(env.code).toBe(2);
    expect(env.stderr).toContain('five.ini:5');
    expect(env.stderr).toContain('host "e" went past the hosts-per-import limit (4 hosts');
    expect(storedHosts(dir)).toEqual([]);
    expect(run(['hosts', 'import', 'five.ini'], { PATCHWISE_LIMIT_HOSTS_PER_IMPORT: '5' }).code).toBe(0);
    const bad = run(['hosts', 'import', 'five.ini'], { PATCHWISE_LIMIT_HOSTS_PER_IMPORT: 'lots' });
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('PATCHWISE_LIMIT_HOSTS_PER_IMPORT="lots": expected a positive whole number');
  });
});

describe('includes stay inside the configuration directory', () => {
  it('refuses absolute paths, .. and symlinks leading out, and never echoes what it did not read', () => {
    const outside = tempDir();
    fs.writeFileSync(path.join(outside, 'secret.yaml'), 'hosts:\n  - SECRET-LINE-OUTSIDE\n');
    const { run, write, dir } = workspace();
    fs.symlinkSync(path.join(outside, 'secret.yaml'), path.join(dir, 'link.yaml'));
    write('sub/ok.yaml', 'hosts: [{ name: inside, connection: { local: true } }]\n');
    for (const include of [
      '/etc/passwd',
      path.join(outside, 'secret.yaml'),
      `../${path.basename(outside)}/secret.yaml`,
      'link.yaml',
    ]) {
      write('c.yaml', `include: [${JSON.stringify(include)}, sub/ok.yaml]\nhosts: []\n`);
      const r = run(['--config', 'c.yaml', 'hosts', 'list']);
      expect(r.code, include).toBe(2);
      expect(r.stderr).toContain("outside the configuration's directory");
      expect(r.stderr).toContain('c.yaml:1:1: include[0]');
      expect(r.stderr).not.toContain('SECRET-LINE');
      expect(r.stderr).not.toContain('root:');
    }
    write('c.yaml', 'include: [sub/ok.yaml]\n');
    expect(run(['--config', 'c.yaml', 'hosts', 'list']).stdout).toContain('inside');
  });

  it('a file inside that is not a hosts file is named, its content not shown', () => {
    const { run, write } = workspace();
    write('notes.yaml', 'password: SECRET-LINE-INSIDE\n');
    write('broken.yaml', 'a: "SECRET-LINE-BROKEN\n  b: [\n');
    write('c.yaml', 'include: [notes.yaml, broken.yaml]\n');
    const r = run(['--config', 'c.yaml', 'hosts', 'list']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('notes.yaml:1:1: (file): not a patchwise hosts file');
    expect(r.stderr).toContain('broken.yaml:');
    expect(r.stderr).not.toContain('SECRET-LINE');
  });
});

describe('hosts import is atomic', () => {
  it('kill -9 during a large import leaves all or none of the new hosts', async () => {
    const { dir, env, write, run } = workspace();
    const n = 100_000;
    const lines = Array.from(
      { length: n },
      (_, i) => `h${String(i).padStart(6, '0')} ansible_host=127.0.0.1`,
    );
    const file = write('big.ini', lines.join('\n') + '\n');
    expect(run(['hosts', 'list']).code).toBe(0); // creates and migrates the store
    const wal = path.join(dir, '.pw', 'patchwise.db-wal');
    const child = spawn(process.execPath, [path.join(ROOT, 'bin/patchwise.js'), 'hosts', 'import', file], {
      cwd: dir,
      env: { ...process.env, ...env },
      stdio: 'ignore',
    });
    const exited = new Promise<number | null>((res) => child.on('exit', (code) => res(code)));
    const base = fs.existsSync(wal) ? fs.statSync(wal).size : 0;
    let killed = false;
    for (let t = 0; t < 600 && child.exitCode === null; t++) {
      // Writes have begun once the write-ahead log grows: that is mid-transaction.
      if (fs.existsSync(wal) && fs.statSync(wal).size > base) {
        child.kill('SIGKILL');
        killed = true;
        break;
      }
      await new Promise((r) => setTimeout(r, 25));
    }
    await exited;
    const count = storedHosts(dir).length;
    expect([0, n]).toContain(count);
    if (killed) expect(count).toBe(0);
    // Not interrupted, the same import stores every host.
    expect(run(['hosts', 'import', file], {}).code).toBe(0);
    expect(storedHosts(dir)).toHaveLength(n);
  }, 120_000);
});

describe('names are refused, never rewritten', () => {
  it('keeps the stored web-1 when an import lists web-1!!, and asks for --replace to replace a different host', () => {
    const { run, write, dir } = workspace();
    expect(
      run([
        'hosts',
        'add',
        'web-1',
        '--tier',
        '1',
        '--exposure',
        'internet',
        '--owner',
        'web',
        '--ssh',
        'root@127.0.0.10',
      ]).code,
    ).toBe(0);
    const marker = path.join(dir, 'touched');
    write('evil.ini', `web-1!! ansible_host=127.0.0.66 patchwise_tier=4\n$(touch ${marker})\n`);
    const r = run(['hosts', 'import', 'evil.ini']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('"web-1!!" (line 1): skipped: not a valid host name (a letter or digit');
    expect(r.stdout).toContain('"$(touch" (line 2): skipped: not a valid host name');
    expect(fs.existsSync(marker)).toBe(false);
    expect(storedHosts(dir).map((h) => h.name)).toEqual(['web-1']);
    expect(JSON.parse(storedHosts(dir)[0]!.record).tier).toBe(1);

    write('other.ini', 'web-1 ansible_host=127.0.0.66 patchwise_tier=4\n');
    const guarded = run(['hosts', 'import', 'other.ini']);
    expect(guarded.stdout).toContain(
      'skipped web-1: would replace the stored host of that name (connection root@127.0.0.10 -> root@127.0.0.66; tier 1 -> 4); pass --replace',
    );
    expect(JSON.parse(storedHosts(dir)[0]!.record).tier).toBe(1);
    expect(run(['hosts', 'import', 'other.ini', '--replace']).stdout).toContain('1 updated');
    expect(JSON.parse(storedHosts(dir)[0]!.record).tier).toBe(4);
  });
});

describe('ssh values are checked on entry', () => {
  const HOSTILE = '-oProxyCommand=touch /tmp/patchwise-pwned';

  /** A fake `ssh` first on PATH that records its arguments and fails like an unreachable host. */
  function fakeSsh(dir: string) {
    const bin = path.join(dir, 'bin');
    const log = path.join(dir, 'ssh-args.log');
    fs.mkdirSync(bin, { recursive: true });
    fs.writeFileSync(
      path.join(bin, 'ssh'),
      `#!/bin/sh\nprintf '%s\\n' "$*" >> '${log}'\necho 'ssh: connect to host 127.0.0.1 port 22: Connection refused' >&2\nexit 255\n`,
      { mode: 0o755 },
    );
    return { PATH: `${bin}:${process.env.PATH}`, log };
  }
  const logged = (log: string) => (fs.existsSync(log) ? fs.readFileSync(log, 'utf8') : '');

  it('a hostile configuration host is refused at load naming file:line; ssh never runs', () => {
    const { run, write, dir } = workspace();
    const { PATH, log } = fakeSsh(dir);
    write(
      'patchwise.yaml',
      `hosts:\n  - { name: good, connection: { ssh: { host: 127.0.0.1 } } }\n  - { name: evil, connection: { ssh: { host: ${JSON.stringify(HOSTILE)} } } }\n  - { name: evil2, connection: { ssh: { host: 127.0.0.2, user: "-oX=y", jump: "-J", identityFile: "-i" } } }\n`,
    );
    const r = run(['scan', '--all'], { PATH });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('patchwise.yaml:3:');
    expect(r.stderr).toContain('hosts[1].connection.ssh.host: expected a host name');
    for (const f of ['user', 'jump', 'identityFile'])
      expect(r.stderr).toContain(`hosts[2].connection.ssh.${f}`);
    expect(logged(log)).toBe('');
  });

  it('a hostile imported host is skipped and reported, the others are imported and scanned', () => {
    const { run, write, dir } = workspace();
    const { PATH, log } = fakeSsh(dir);
    write(
      'inv.ini',
      [
        'good ansible_host=127.0.0.1',
        `evil ansible_host="${HOSTILE}"`,
        'evil-user ansible_host=127.0.0.3 ansible_user=-oProxyCommand=x',
        `evil-jump ansible_host=127.0.0.4 ansible_ssh_common_args='-o ProxyJump=-oProxyCommand=x'`,
        'evil-port ansible_host=127.0.0.5 ansible_port=-1',
      ].join('\n') + '\n',
    );
    const imp = run(['hosts', 'import', 'inv.ini']);
    expect(imp.code).toBe(0);
    expect(imp.stdout).toContain('1 added');
    for (const [name, line] of [
      ['evil', 2],
      ['evil-user', 3],
      ['evil-port', 5],
    ] as const)
      expect(imp.stdout).toContain(`note: ${name} (line ${line}): skipped: connection.ssh`);
    const scan = run(['scan', '--all'], { PATH });
    expect(scan.code).toBe(3); // the good host is unreachable through the fake ssh: operational
    const args = logged(log);
    expect(args).toContain('127.0.0.1');
    expect(args).not.toContain('ProxyCommand');
    expect(args).not.toMatch(/127\.0\.0\.[2-5]/);
  });

  it('a hostile host already in the store is reported and left out; it never stops the scan of the others', () => {
    const { run, dir } = workspace();
    const { PATH, log } = fakeSsh(dir);
    expect(run(['hosts', 'add', 'good', '--ssh', 'root@127.0.0.1']).code).toBe(0);
    const db = new Database(path.join(dir, '.pw', 'patchwise.db'));
    const record = JSON.stringify({
      name: 'evil',
      connection: { ssh: { host: HOSTILE } },
      services: [],
      tags: {},
    });
    db.prepare('INSERT INTO host (name, record, created_at, updated_at) VALUES (?, ?, ?, ?)').run(
      'evil',
      record,
      'x',
      'x',
    );
    db.close();
    const scan = run(['scan', '--all'], { PATH });
    expect(scan.stderr).toContain('stored host "evil" is unreadable');
    expect(logged(log)).toContain('127.0.0.1');
    expect(logged(log)).not.toContain('ProxyCommand');
  });
});

describe('YAML alias bombs', () => {
  const bomb = (top: string) =>
    [
      'a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]',
      ...'bcdefghi'.split('').map((k, i) => `${k}: &${k} [${Array(9).fill(`*${'abcdefghi'[i]}`).join(',')}]`),
      `${top}: *i`,
    ].join('\n') + '\n';

  it('a billion-laughs configuration ends in exit 2 naming the limit, not a hang or a stack', () => {
    const { run, write } = workspace();
    write('patchwise.yaml', bomb('feeds'));
    const r = run(['hosts', 'list']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('patchwise.yaml: resolving YAML aliases went past the yaml-aliases limit');
    expect(r.stderr).toContain('PATCHWISE_LIMIT_YAML_ALIASES=4000');
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });

  it('so does a billion-laughs Ansible YAML inventory', () => {
    const { run, write } = workspace();
    write('inv.yml', `all:\n  vars:\n${bomb('x').replace(/^/gm, '    ')}`);
    const r = run(['hosts', 'import', 'inv.yml', '--dry-run']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('inv.yml: resolving YAML aliases went past the yaml-aliases limit');
  });
});

describe('import report', () => {
  it('names a Terraform resource whose tier tag is not a tier, and reports duplicate names', () => {
    const { run, write } = workspace();
    const vm = (address: string, name: string, tags: Record<string, string>) => ({
      address,
      mode: 'managed',
      type: 'aws_instance',
      name: 'x',
      values: { id: address, private_ip: '127.0.0.1', tags: { Name: name, ...tags } },
    });
    write(
      'state.json',
      JSON.stringify({
        values: {
          root_module: {
            resources: [
              vm('aws_instance.a', 'app-1', { tier: '9' }),
              vm('aws_instance.b', 'app-1', { tier: '2' }),
              vm('aws_instance.c', 'bad name!', {}),
            ],
          },
        },
      }),
    );
    const r = run(['hosts', 'import', 'state.json', '--dry-run']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('note: aws_instance.a: tag "tier=9" is not a valid tier (1-4)');
    expect(r.stdout).toContain('skipped app-1: listed twice in this import');
    expect(r.stdout).toContain('note: aws_instance.c: skipped: name "bad name!" is not a valid host name');
  });

  it('shows a count and the first few flagged hosts, not all of them', () => {
    const { run, write } = workspace();
    write('many.ini', '[w]\nw[0001:8000]\n');
    const r = run(['hosts', 'import', 'many.ini', '--dry-run']);
    const flagged = r.stdout.split('\n').find((l) => l.startsWith('Flagged:'))!;
    expect(flagged).toContain('Flagged: 8000 host(s) lack tier, exposure or owner: w0001 (no tier');
    expect(flagged).toContain('and 7995 more (patchwise hosts list --flagged)');
    expect(flagged.length).toBeLessThan(400);
  });
});
