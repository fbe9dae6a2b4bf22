import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli, tempDir } from './helpers/cli.js';
import { freePort, requireSshd, startSshd, type TestSshd } from './helpers/test-sshd.js';

describe('patchwise hosts trust and scan over ssh (CLI)', () => {
  requireSshd();
  let sshd: TestSshd;
  let dir: string;
  const cli = (args: string[]) =>
    runCli(['--config', path.join(dir, 'patchwise.yaml'), '--data-dir', path.join(dir, 'data'), ...args]);

  beforeAll(async () => {
    dir = tempDir('patchwise-ssh-cli-');
    sshd = await startSshd(dir);
    const closed = await freePort();
    const host = (name: string, port: number) =>
      `  - name: ${name}\n    connection: { ssh: { host: 127.0.0.1, port: ${port}, user: root } }\n    tier: 3\n    exposure: internal\n    owner: test\n`;
    fs.writeFileSync(
      path.join(dir, 'patchwise.yaml'),
      `ssh:\n  identityFile: ${sshd.identityFile}\nhosts:\n${host('self', sshd.port)}${host('down', closed)}`,
    );
  });

  afterAll(async () => {
    await sshd?.stop();
  });

  it(
    'refuses an untrusted host, pins its key, then scans it; a down host fails the scan with exit 3',
    { timeout: 300_000 },
    () => {
      const before = cli(['scan', 'self', '--json']);
      expect(before.code).toBe(3);
      expect(JSON.parse(before.stdout)[0]).toMatchObject({
        host: 'self',
        status: 'failed',
        reason: 'host-key-unknown',
      });

      const trust = cli(['hosts', 'trust', 'self', '--json']);
      expect(trust.code, trust.stderr).toBe(0);
      expect(JSON.parse(trust.stdout)[0]).toMatchObject({ host: 'self', outcome: 'pinned' });
      expect(cli(['hosts', 'trust', 'self']).stdout).toMatch(
        /self \(\[127\.0\.0\.1\]:\d+\): unchanged\n\s+ssh-ed25519\s+SHA256:/,
      );

      const scan = cli(['scan', '--all', '--json']);
      expect(scan.code).toBe(3);
      const byHost = Object.fromEntries(
        (JSON.parse(scan.stdout) as { host: string; status: string; reason?: string }[]).map((r) => [
          r.host,
          [r.status, r.reason],
        ]),
      );
      expect(byHost).toEqual({ self: ['ok', undefined], down: ['failed', 'unreachable'] });
    },
  );
});
