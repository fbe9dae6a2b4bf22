import { describe, expect, it } from 'vitest';
import { classifyPackage, classifyPackages } from './classify-package.js';

describe('classifyPackage', () => {
  const cases: [string, string[], boolean, boolean][] = [
    ['linux', ['kernel'], true, false],
    ['linux-signed-amd64', ['kernel'], true, false],
    ['linux-image-6.1.0-27-amd64', ['kernel'], true, false],
    ['intel-microcode', ['kernel'], true, false],
    ['glibc', ['libc'], true, true],
    ['libc6', ['libc'], true, true],
    ['systemd', ['init'], true, false],
    ['openssl', ['network-stack'], false, true],
    ['libssl3', ['network-stack'], false, true],
    ['openssh', ['network-stack'], false, false],
    ['openssh-server', ['network-stack'], false, false],
    ['nftables', ['network-stack'], false, false],
    ['iptables', ['network-stack'], false, false],
    ['postgresql-15', ['database'], false, false],
    ['mariadb', ['database'], false, false],
    ['mysql-server-8.0', ['database'], false, false],
    ['zlib1g', [], false, true],
    ['nginx', [], false, false],
    ['util-linux', [], false, false],
  ];
  it.each(cases)('%s -> %j reboot=%s all=%s', (name, classes, reboot, all) => {
    expect(classifyPackage(name)).toEqual({ classes, needsReboot: reboot, restartsAll: all });
  });
  it('combines a source package with its binaries', () => {
    expect(classifyPackages(['openssl', 'libssl3', 'openssl'])).toEqual({
      classes: ['network-stack'],
      needsReboot: false,
      restartsAll: true,
    });
  });
});
