import { describe, expect, it } from 'vitest';
import { readFixture } from '../../../test/helpers/read-fixture.js';
import { OperationalError } from '../../core/errors.js';
import { classifySshExit, sshError, sshFailureOf, SSH_FAILURES } from './ssh-errors.js';

describe('classifySshExit', () => {
  it.each(SSH_FAILURES)('reads captured OpenSSH stderr as %s', (reason) => {
    expect(classifySshExit(255, readFixture('collect', `ssh-stderr-${reason}.txt`))).toBe(reason);
  });

  it('leaves the remote command its own exit codes, 255 included', () => {
    expect(classifySshExit(255, 'boom\n')).toBeUndefined();
    expect(classifySshExit(1, 'Permission denied (publickey).')).toBeUndefined();
    expect(classifySshExit(0, '')).toBeUndefined();
  });

  it('builds an error that names the host, says why, and can be read back', () => {
    const e = sshError(
      'host-key-changed',
      'web-1',
      readFixture('collect', 'ssh-stderr-host-key-changed.txt'),
    );
    expect(e).toBeInstanceOf(OperationalError);
    expect(e.code).toBe('ssh-host-key-changed');
    expect(e.message).toMatch(/^web-1 presented a CHANGED host key; nothing was collected \(ssh: .*changed/);
    expect(e.hint).toMatch(/hosts trust HOST --replace/);
    expect(sshFailureOf(e)).toBe('host-key-changed');
    expect(sshFailureOf(new OperationalError('other', 'x'))).toBeUndefined();
  });
});
