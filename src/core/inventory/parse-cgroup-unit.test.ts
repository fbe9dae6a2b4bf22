import { describe, expect, it } from 'vitest';
import { parseCgroupUnit } from './parse-cgroup-unit.js';

describe('parseCgroupUnit', () => {
  it.each([
    ['0::/system.slice/nginx.service\n', 'nginx.service'],
    ['0::/system.slice/system-getty.slice/getty@tty1.service', 'getty@tty1.service'],
    ['0::/user.slice/user-1000.slice/session-3.scope', 'session-3.scope'],
    ['0::/system.slice/containerd.service/payload', 'containerd.service'],
    ['0::/init.scope', 'init.scope'],
    ['12:pids:/system.slice/ssh.service\n1:name=systemd:/system.slice/ssh.service\n0::/', 'ssh.service'],
    // captured on the development machine: cgroup v1, no systemd
    ['9:name=systemd:/\n8:pids:/\n4:memory:/process_api/c936fc4b27b004029bfd357b4120502e\n0::/', undefined],
    ['0::/$(reboot).service', undefined],
    ['', undefined],
  ])('%j -> %s', (text, unit) => {
    expect(parseCgroupUnit(text)).toBe(unit);
  });
});
